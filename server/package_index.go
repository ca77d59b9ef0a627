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
	body, err := s.packageDocument(p.Package)
	if err != nil {
		s.fail(w, r, internalError(err))
		return
	}
	writeJSON(w, s.opts.CacheTimeIndex, body)
}

// packageDocument is the document of a package: rendered at load time for
// compact packages (packages.Compact), rendered now for complete ones
// (proxy mode, storage indexers, eprfull builds).
func (s *server) packageDocument(p *packages.Package) ([]byte, error) {
	if p.Doc != nil {
		return s.docs.bytes(p.Doc)
	}
	return packages.MarshalIndentJSON(p)
}
