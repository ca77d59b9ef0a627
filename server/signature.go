package server

import (
	"github.com/eprgo/package-registry/indexer"
	"net/http"
	"path/filepath"
)

// signature serves /epr/{ignored}/{name}-{version}.zip.sig: the file
// <package path>.sig. A known package without that file answers 500 with
// the public cache headers, as upstream does (its 404 text is only for
// unknown packages).
func (s *server) signature(w http.ResponseWriter, r *http.Request) error {
	p, err := s.lookupRoute(r, errSignatureNotFound)
	if err != nil {
		return err
	}
	s.setPublicCache(w.Header(), s.opts.CacheTimeCatchAll)
	if remote := indexer.Remote(p.Package); remote != nil {
		remote.ServeSignature(w, r, p.Package)
		s.countStorage(p, componentSignatures)
		return nil
	}
	s.countStorage(p, componentSignatures)
	return serveLocalFile(w, r, filepath.Clean(p.BasePath)+".sig", contentTypes[".sig"])
}
