package loader

import (
	"io/fs"
	"path"
	"strings"
)

// PackageFS gives access to the files of one local package, rooted at the
// package root (the folder holding manifest.yml). Names are slash-separated and
// relative to the root; nothing outside the package can be opened.
type PackageFS interface {
	Open(name string) (fs.File, error)
	Stat(name string) (fs.FileInfo, error)
	// Glob matches pattern (path.Match syntax) against every entry of the
	// package: the order of the underlying listing (sorted for
	// directories, archive order for zips), which the loader keeps.
	Glob(pattern string) ([]string, error)
	Close() error
}

// NewPackageFS opens the files of a local package: a directory, or a zip
// file when isZip is true.
//
// Files opened through it implement io.Seeker, and their Stat gives the size
// and modification time (file mtime, or zip entry time), so that they can be
// served with http.ServeContent. Directories can be opened too; their Stat
// reports IsDir so callers can refuse to serve them. Opened files are only
// readable until the PackageFS is closed. Invalid zip archives give the
// archive/zip error (errors.Is(err, zip.ErrFormat)), which callers can tell
// apart from a zip without a package root.
func NewPackageFS(basePath string, isZip bool) (PackageFS, error) {
	if isZip {
		return openZipFS(basePath)
	}
	return openDirFS(basePath)
}

// cleanName turns a requested name into a clean path relative to the package
// root ("." for the root). A leading "/" is ignored and ".." elements are
// resolved lexically against the root, so they can never climb above it.
func cleanName(op, name string) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	c := strings.TrimPrefix(path.Clean("/"+name), "/")
	if c == "" {
		c = "."
	}
	return c, nil
}

// globDepth is the number of path elements a name must have to match
// pattern: path.Match never lets a wildcard match "/".
func globDepth(pattern string) int {
	return strings.Count(pattern, "/") + 1
}
