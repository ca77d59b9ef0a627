package server

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/eprgo/package-registry/packages"
)

// packageIndex serves the full document of one package version
// (api.md §10.6). It uses the index cache time, not catch_all.
//
// With an index that has a generation, the document is kept with the
// other answers of that generation (answerCache): the lookup of a version
// depends on nothing else.
func (s *server) packageIndex(w http.ResponseWriter, r *http.Request) {
	// A kept answer was a found package, so its version was valid: the
	// lookup comes before the version check.
	vars := mux.Vars(r)
	name, version := vars[varName], vars[varVersion]
	gen, cacheable := s.generation()
	answerKey := "package\x00" + name + "\x00" + version
	if cacheable {
		if body, ok := s.answers.get(gen, answerKey); ok {
			s.writeJSON(w, s.opts.CacheTimeIndex, body)
			return
		}
	}
	if err := checkVersion(version); err != nil {
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
	body, err := s.packageDocument(p.Package, !cacheable)
	if err != nil {
		s.fail(w, r, internalError(err))
		return
	}
	if cacheable {
		s.answers.add(gen, answerKey, body)
	}
	s.writeJSON(w, s.opts.CacheTimeIndex, body)
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
