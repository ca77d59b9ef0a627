package server

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// setPublicCache writes the success cache headers as two separate fields,
// never merged (api.md §7.1). Formatting with precision 0 rounds half to
// even, as upstream's %.0f does (it is the same conversion, without fmt's
// cost on every answer).
//
// The values are built once per duration (there are four, from the
// configuration) and shared by every answer: header value slices are only
// read by net/http, and their capacity equals their length, so an Add
// elsewhere copies instead of writing into the shared array.
func setPublicCache(h http.Header, d time.Duration) {
	if v, ok := publicCacheValues.Load(d); ok {
		h["Cache-Control"] = v.([]string)
		return
	}
	v := []string{"max-age=" + strconv.FormatFloat(d.Seconds(), 'f', 0, 64), "public"}
	publicCacheValues.Store(d, v[:2:2])
	h["Cache-Control"] = v[:2:2]
}

// publicCacheValues memoises setPublicCache's values by duration.
var publicCacheValues sync.Map

// setNoStore writes the client-error cache headers (api.md §7.1).
func setNoStore(h http.Header) {
	h.Del("Cache-Control")
	h.Add("Cache-Control", "max-age=0")
	h.Add("Cache-Control", "private, no-store")
}
