package server

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/eprgo/package-registry/packages"
)

// packageIndex serves the full document of one package version. It uses
// the index cache time, not catch_all, as upstream does.
//
// With an index that has a generation, the document is kept with the
// other answers of that generation (answerCache): the lookup of a version
// depends on nothing else.
func (s *server) packageIndex(w http.ResponseWriter, r *http.Request) error {
	// A kept answer was a found package, so its version was valid: the
	// lookup comes before the version check.
	vars := mux.Vars(r)
	name, version := vars[varName], vars[varVersion]
	gen, cacheable := s.generation()
	answerKey := "package\x00" + name + "\x00" + version
	if cacheable {
		if body, ok := s.answers.get(gen, answerKey); ok {
			s.writeJSON(w, s.opts.CacheTimeIndex, body)
			return nil
		}
	}
	p, err := s.lookup(r, name, version, true, errPackageNotFound)
	if err != nil {
		return err
	}
	body, err := s.packageDocument(p.Package, !cacheable)
	if err != nil {
		return internalError(err)
	}
	if cacheable {
		s.answers.add(gen, answerKey, body)
	}
	s.writeJSON(w, s.opts.CacheTimeIndex, body)
	return nil
}

// packageDocument is the document of a package: rendered at load time for
// compact packages (packages.Compact), rendered now for complete ones
// (proxy mode, storage indexers, eprfull builds). Documents not kept as
// answers go through the document cache.
func (s *server) packageDocument(p *packages.Package, useDocCache bool) ([]byte, error) {
	switch {
	case p.Doc == nil:
		return packages.MarshalIndentJSON(p)
	case useDocCache:
		return s.docBytes(p.Doc)
	}
	return p.Doc.Bytes()
}
