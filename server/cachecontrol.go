package server

import (
	"net/http"
	"strconv"
	"time"
)

// publicCacheValue is the success Cache-Control header of an answer kept d
// by clients: two separate values, never merged, as upstream sends them
// (docs/api.md). Formatting with precision 0 rounds half to even, as
// upstream's %.0f does. The slice's capacity equals its length, so an Add
// elsewhere copies instead of writing into a shared array.
func publicCacheValue(d time.Duration) []string {
	v := []string{"max-age=" + strconv.FormatFloat(d.Seconds(), 'f', 0, 64), "public"}
	return v[:2:2]
}

// cacheControlValues builds the Cache-Control values of the configured
// cache times once: every answer then shares one (header value slices are
// only read by net/http) instead of formatting it again.
func cacheControlValues(durations ...time.Duration) map[time.Duration][]string {
	values := make(map[time.Duration][]string, len(durations))
	for _, d := range durations {
		values[d] = publicCacheValue(d)
	}
	return values
}

// setPublicCache writes the success cache headers of an answer kept d.
func (s *server) setPublicCache(h http.Header, d time.Duration) {
	v, ok := s.cacheControl[d]
	if !ok {
		v = publicCacheValue(d)
	}
	h["Cache-Control"] = v
}

// setNoStore writes the client-error cache headers (docs/api.md): two
// values, as upstream sends them.
func setNoStore(h http.Header) {
	h.Del("Cache-Control")
	h.Add("Cache-Control", "max-age=0")
	h.Add("Cache-Control", "private, no-store")
}
