package server

import "net/http"

// responseCacheKey is the request URL as received, not normalised: path,
// "?", raw query (operations.md §8.6.7).
func responseCacheKey(r *http.Request) string {
	return r.URL.Path + "?" + r.URL.RawQuery
}

func cacheGet(c ResponseCache, key string) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	return c.Get(key)
}

func cacheAdd(c ResponseCache, key string, body []byte) {
	if c != nil {
		c.Add(key, body)
	}
}
