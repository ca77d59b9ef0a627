package server

import (
	"net/http"
	"strconv"
	"time"
)

// setPublicCache writes the success cache headers as two separate fields,
// never merged (api.md §7.1). Formatting with precision 0 rounds half to
// even, as upstream's %.0f does (it is the same conversion, without fmt's
// cost on every answer).
func setPublicCache(h http.Header, d time.Duration) {
	h["Cache-Control"] = []string{"max-age=" + strconv.FormatFloat(d.Seconds(), 'f', 0, 64), "public"}
}

// setNoStore writes the client-error cache headers (api.md §7.1).
func setNoStore(h http.Header) {
	h.Del("Cache-Control")
	h.Add("Cache-Control", "max-age=0")
	h.Add("Cache-Control", "private, no-store")
}
