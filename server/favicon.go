package server

import (
	_ "embed"
	"net/http"
)

//go:generate go run favicon_gen.go

//go:embed favicon.ico
var faviconICO []byte

// favicon serves the embedded icon: no Last-Modified and no ranges, as
// upstream writes it as a plain body.
func (s *server) favicon(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	s.setPublicCache(h, s.opts.CacheTimeCatchAll)
	h.Set("Content-Type", "image/x-icon")
	w.WriteHeader(http.StatusOK)
	// A failed write means the client went away: nothing to answer.
	_, _ = w.Write(faviconICO)
	return nil
}
