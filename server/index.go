package server

import (
	"net/http"

	"github.com/eprgo/package-registry/packages"
)

const defaultServiceName = "package-registry"

// indexBody renders the / document once, at startup: it never changes.
// The version is the application's, passed in (Options.ServiceVersion).
func indexBody(name, version string) ([]byte, error) {
	if name == "" {
		name = defaultServiceName
	}
	return packages.MarshalIndentJSON(struct {
		Name    string `json:"service.name"`
		Version string `json:"service.version"`
	}{name, version})
}

// index serves / and /index.json; the query is ignored.
func (s *server) index(w http.ResponseWriter, r *http.Request) error {
	s.writeJSON(w, s.opts.CacheTimeIndex, s.indexBody)
	return nil
}
