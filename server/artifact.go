package server

import (
	"errors"
	"net/http"
	"os"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// artifact serves /epr/{ignored}/{name}-{version}.zip: the zip file of a
// zip package, a zip generated on the fly for a directory package, or the
// remote file of a storage or proxied package.
func (s *server) artifact(w http.ResponseWriter, r *http.Request) error {
	p, err := s.lookupRoute(r, errArtifactNotFound)
	if err != nil {
		return err
	}
	s.setPublicCache(w.Header(), s.opts.CacheTimeCatchAll)
	if remote := indexer.Remote(p.Package); remote != nil {
		remote.ServeArtifact(w, r, p.Package)
		s.countStorage(p, componentArtifacts)
		return nil
	}
	// Local artifacts count even when serving fails, as upstream counts
	// them before it opens the file.
	s.countStorage(p, componentArtifacts)
	if p.IsZip {
		return serveLocalFile(w, r, p.BasePath, contentTypes[".zip"])
	}
	return s.streamPackageZip(w, r, p.Package)
}

// streamPackageZip sends a directory package as a zip built while it is
// written: no Content-Length, Last-Modified or range support, and a cut
// body if reading fails half-way. That is upstream's answer for these
// (recorded GET, HEAD and Range answers carry no Content-Length), and it
// keeps nothing of the archive in memory or on disk.
func (s *server) streamPackageZip(w http.ResponseWriter, r *http.Request, p *packages.Package) error {
	info, err := os.Stat(p.BasePath)
	if err != nil {
		return internalError(err)
	}
	if !info.IsDir() {
		return internalError(errors.New("package path is not a directory: " + p.BasePath))
	}
	w.Header().Set("Content-Type", contentTypes[".zip"])
	w.WriteHeader(http.StatusOK)
	// Flushing before the first byte makes net/http chunk the body even
	// when the whole archive would fit in its buffer, so the answer never
	// carries a Content-Length, as upstream's never does for these.
	if err := http.NewResponseController(w).Flush(); err != nil {
		s.reqLog(r).Debug("flushing artifact headers failed", zap.Error(err))
	}
	if r.Method == http.MethodHead {
		// net/http discards a HEAD body anyway; do not build it.
		return nil
	}
	files, err := packageFiles(p)
	if err == nil {
		err = writePackageZip(w, files, p.Name+"-"+p.Version)
	}
	if err != nil {
		s.reqLog(r).Warn("writing package artifact failed", zap.String("file.path", p.BasePath), zap.Error(err))
		// The status is gone already. Aborting the connection keeps the
		// chunked body from ending cleanly, so the client sees a failed
		// download instead of a complete-looking, broken archive.
		panic(http.ErrAbortHandler)
	}
	return nil
}
