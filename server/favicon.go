package server

import (
	_ "embed"
	"net/http"
)

//go:generate go run favicon_gen.go

//go:embed favicon.ico
var faviconICO []byte

// favicon serves the embedded icon: no Last-Modified and no ranges
// (api.md §10.3).
func (s *server) favicon(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	s.setPublicCache(h, s.opts.CacheTimeCatchAll)
	h.Set("Content-Type", "image/x-icon")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(faviconICO)
}
