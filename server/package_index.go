package server

import (
	"net/http"

	"epr/packages"
)

// packageIndex serves the full document of one package version
// (api.md §10.6). It uses the index cache time, not catch_all.
func (s *server) packageIndex(w http.ResponseWriter, r *http.Request) {
	name, version, err := packageVars(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.findPackage(r, name, version, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Package == nil {
		s.fail(w, r, errPackageNotFound)
		return
	}
	body, err := packages.MarshalIndentJSON(p.Package)
	if err != nil {
		s.fail(w, r, internalError(err))
		return
	}
	writeJSON(w, s.opts.CacheTimeIndex, body)
}
