package server

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"syscall"

	"github.com/gorilla/mux"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/loader"
	"github.com/eprgo/package-registry/packages"
)

// static serves /package/{name}/{version}/{path}: one file of the
// package, read through PackageFS so that nothing outside the package can
// be reached.
func (s *server) static(w http.ResponseWriter, r *http.Request) error {
	p, err := s.lookupRoute(r, errPackageNotFound)
	if err != nil {
		return err
	}
	// Set before the file is looked for: a missing file answers 404 with
	// these public headers, as upstream's does.
	s.setPublicCache(w.Header(), s.opts.CacheTimeCatchAll)
	file := mux.Vars(r)[varFile]
	if remote := indexer.Remote(p.Package); remote != nil {
		remote.ServeStatic(w, r, p.Package, file)
		s.countStorage(p, componentStatics)
		return nil
	}
	if err := servePackageFile(w, r, p.Package, file); err != nil {
		return err
	}
	s.countStorage(p, componentStatics)
	return nil
}

// servePackageFile serves one file of a local package with
// http.ServeContent and the file's modification time (the entry's time in
// a zip). Directories answer 404 rather than upstream's broken answers (a
// 200 that never sends its body for a folder on disk, a 500 for a folder in
// a zip): nothing can depend on those.
func servePackageFile(w http.ResponseWriter, r *http.Request, p *packages.Package, name string) error {
	if !validFileName(name) {
		return errResourceNotFound
	}
	files, err := packageFiles(p)
	if err != nil {
		return internalError(err)
	}
	f, err := files.Open(name)
	if err != nil {
		return fileError(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fileError(err)
	}
	if info.IsDir() {
		return errResourceNotFound
	}
	content, err := seekable(f)
	if err != nil {
		return internalError(err)
	}
	ctype, err := contentType(name, content)
	if err != nil {
		return internalError(err)
	}
	serveContent(w, r, name, info.ModTime(), content, ctype)
	return nil
}

// packageFiles is the file index the loader took of a local package; a
// package built without the loader (tests, tools) is indexed on the spot.
func packageFiles(p *packages.Package) (*loader.Files, error) {
	if files := loader.FilesOf(p); files != nil {
		return files, nil
	}
	return loader.IndexFiles(p.BasePath, p.IsZip)
}

// validFileName rejects names that cannot denote a file inside the package
// whatever the file system: empty, absolute, with "." or ".." elements,
// backslashes or NUL bytes. PackageFS checks again; this only makes sure
// such names are a plain 404 before any file system is opened.
func validFileName(name string) bool {
	return fs.ValidPath(name) && name != "." &&
		!strings.ContainsAny(name, "\\\x00")
}

// fileError maps a failure to open a package file: anything that means
// "there is no such file in this package" is the static 404, other failures
// (permissions, I/O, unreadable zip entries) are a 500.
func fileError(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) ||
		errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ELOOP) ||
		// A name longer than the file system allows names no file.
		errors.Is(err, syscall.ENAMETOOLONG) ||
		escapesPackage(err) {
		return errResourceNotFound
	}
	return internalError(err)
}

// escapesPackage tells whether os.Root refused a symbolic link leading out
// of the package. The error value is not exported, hence the text match.
func escapesPackage(err error) bool {
	return strings.Contains(err.Error(), "path escapes from parent")
}

// seekable returns f itself when it can seek (directory packages), else its
// content in memory (zip entries), which ranges need.
func seekable(f fs.File) (io.ReadSeeker, error) {
	if rs, ok := f.(io.ReadSeeker); ok {
		return rs, nil
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(b), nil
}
