package server

import "net/http"

// responseCacheKey is the request URL as received, not normalised: path,
// "?", raw query (operations.md §8.6.7).
func responseCacheKey(r *http.Request) string {
	return r.URL.Path + "?" + r.URL.RawQuery
}
