package server

import (
	"net/http"

	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/packages"
)

const defaultServiceName = "package-registry"

// indexBody renders the / document once, at startup: it never changes.
func indexBody(name, version string) ([]byte, error) {
	if name == "" {
		name = defaultServiceName
	}
	if version == "" {
		version = config.Version
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
