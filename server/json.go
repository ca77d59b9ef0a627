package server

import (
	"net/http"
	"time"
)

// writeJSON sends a rendered JSON document with the public cache headers
// of its route. No Content-Length is set: net/http adds one for small
// bodies and chunks the others, as it does for upstream.
func (s *server) writeJSON(w http.ResponseWriter, maxAge time.Duration, body []byte) {
	h := w.Header()
	s.setPublicCache(h, maxAge)
	h["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// jsonContentType is shared by every JSON answer (see setPublicCache).
var jsonContentType = []string{"application/json"}
