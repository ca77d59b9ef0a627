package server

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/eprgo/package-registry/loader"
)

// serveLocalFile serves a file of the local disk (zip artifact, signature)
// with serveContent. Any failure to open it is a 500; the caller has
// already set the public cache headers, which the 500 keeps (upstream's
// does).
func serveLocalFile(w http.ResponseWriter, r *http.Request, path, ctype string) error {
	// Never blocks, even on a FIFO put in the place of the file.
	f, err := loader.OpenRegular(path)
	if err != nil {
		return internalError(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return internalError(err)
	}
	if !info.Mode().IsRegular() {
		return internalError(errors.New("not a regular file: " + path))
	}
	serveContent(w, r, info.Name(), info.ModTime(), f, ctype)
	return nil
}

// serveContent sends a file of type ctype with http.ServeContent:
// Last-Modified, ranges (limited, see limitRanges) and conditional
// requests, as upstream serves every local file.
func serveContent(w http.ResponseWriter, r *http.Request, name string, modtime time.Time, content io.ReadSeeker, ctype string) {
	w.Header().Set("Content-Type", ctype)
	http.ServeContent(preconditionWriter{w}, limitRanges(r), name, modtime, content)
}

// preconditionWriter removes the file's Content-Type from a 412 answer.
// Upstream lets ServeContent pick the type, which it does only after the
// preconditions passed, so its 412 has none; ours is set beforehand because
// our types do not depend on the host's MIME database. (A 304 loses the
// type in net/http itself.)
type preconditionWriter struct{ http.ResponseWriter }

func (w preconditionWriter) WriteHeader(code int) {
	if code == http.StatusPreconditionFailed {
		w.Header().Del("Content-Type")
	}
	w.ResponseWriter.WriteHeader(code)
}

// ReadFrom keeps net/http's sendfile path for the files sent through the
// wrapper: io.Copy hands the copy to the wrapped writer's ReadFrom.
func (w preconditionWriter) ReadFrom(src io.Reader) (int64, error) {
	return io.Copy(w.ResponseWriter, src)
}
