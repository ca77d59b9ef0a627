package packages

import (
	"errors"
	"io/fs"
)

// PackageFS gives access to the files of one local package, rooted at the
// package root (package-model.md §3). Names are slash-separated and relative
// to the root; nothing outside the package can be opened.
type PackageFS interface {
	Open(name string) (fs.File, error)
	Stat(name string) (fs.FileInfo, error)
	// Glob matches pattern (path.Match syntax) against every entry of the
	// package, in the order of package-model.md §3.
	Glob(pattern string) ([]string, error)
	Close() error
}

// NewPackageFS opens the files of a local package: a directory, or a zip
// file when isZip is true.
func NewPackageFS(basePath string, isZip bool) (PackageFS, error) {
	return nil, errors.New("not implemented")
}
