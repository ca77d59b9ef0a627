package server

import (
	"errors"
	"net/http"
	"os"
)

// serveLocalFile serves a file of the local disk (zip artifact, signature)
// with http.ServeContent: Last-Modified, ranges and conditional requests.
// Any failure to open it is a 500; the caller has already set the public
// cache headers, which the 500 keeps (upstream's does).
func serveLocalFile(w http.ResponseWriter, r *http.Request, path, ctype string) error {
	f, err := os.Open(path)
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
	w.Header().Set("Content-Type", ctype)
	http.ServeContent(w, limitRanges(r), info.Name(), info.ModTime(), f)
	return nil
}
