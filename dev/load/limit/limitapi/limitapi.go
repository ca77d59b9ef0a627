// Package limitapi is the format of the answers the limit server
// (dev/load/limit) replays, written by the load test (dev/load).
package limitapi

import "net/http"

// Response is one recorded answer. The responses of a run are listed in
// responses.json, next to the body files.
type Response struct {
	Target string      `json:"target"` // request URI: path and query
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   string      `json:"body"` // file name in the responses folder
}
