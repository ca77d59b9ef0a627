package server

import (
	"net/http"
	"path/filepath"
)

// signature serves /epr/{ignored}/{name}-{version}.zip.sig (api.md §10.9):
// the file <package path>.sig. A known package without that file answers
// 500 with the public cache headers (upstream quirk, api.md §14.5).
func (s *server) signature(w http.ResponseWriter, r *http.Request) {
	name, version, err := packageVars(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.findPackage(r, name, version, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Package == nil {
		s.fail(w, r, errSignatureNotFound)
		return
	}
	s.setPublicCache(w.Header(), s.opts.CacheTimeCatchAll)
	if p.Resolver != nil {
		p.Resolver.ServeSignature(w, r, p.Package)
		s.countStorage(p, componentSignatures)
		return
	}
	s.countStorage(p, componentSignatures)
	sigPath := filepath.Clean(p.BasePath) + ".sig"
	if err := serveLocalFile(w, r, sigPath, contentTypes[".sig"]); err != nil {
		s.fail(w, r, err)
	}
}
