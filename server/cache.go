package server

import (
	"fmt"
	"net/http"
	"time"
)

// setPublicCache writes the success cache headers as two separate fields,
// never merged (api.md §7.1). %.0f rounds half to even, as upstream does.
func setPublicCache(h http.Header, d time.Duration) {
	h.Del("Cache-Control")
	h.Add("Cache-Control", fmt.Sprintf("max-age=%.0f", d.Seconds()))
	h.Add("Cache-Control", "public")
}

// setNoStore writes the client-error cache headers (api.md §7.1).
func setNoStore(h http.Header) {
	h.Del("Cache-Control")
	h.Add("Cache-Control", "max-age=0")
	h.Add("Cache-Control", "private, no-store")
}
