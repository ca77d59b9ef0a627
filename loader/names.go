package loader

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"unicode/utf8"
)

// Limits on the files of a package (docs/security.md, "Package files").
// Real packages stay under ten levels and a few hundred bytes; a path of
// thousands of levels made every lookup and every generated zip cost time
// quadratic in its depth.
const (
	// MaxPathDepth is the number of path elements a package file may
	// have, counted from the package root.
	MaxPathDepth = 64
	// MaxPathLength is the length in bytes of a package file's path,
	// relative to the package root.
	MaxPathLength = 1024
)

// nameProblem is the one file-name rule of package content, for the
// entries of zips read and of zips generated from directory packages
// alike: it says why rel (slash-separated, relative to the package root,
// without a trailing slash) cannot name a file of a package, or "" when it
// can. Names that could point outside an extraction folder on some system
// (absolute, "..", backslashes that Windows reads as separators), that
// JSON or io/fs cannot carry (not UTF-8, NUL), or that exceed the limits
// are refused.
func nameProblem(rel string) string {
	switch {
	case rel == "" || strings.IndexByte(rel, 0) >= 0 || strings.HasPrefix(rel, "/") || strings.Contains(rel, `\`):
		return "unsafe entry name"
	case !utf8.ValidString(rel):
		return nameNotUTF8
	case len(rel) > MaxPathLength:
		return fmt.Sprintf("path longer than %d bytes", MaxPathLength)
	case strings.Count(rel, "/")+1 > MaxPathDepth:
		return fmt.Sprintf("path deeper than %d levels", MaxPathDepth)
	}
	for _, el := range strings.Split(rel, "/") {
		if el == ".." {
			return "unsafe entry name"
		}
	}
	return ""
}

// typeProblem says why a file of this type is not package content, or ""
// for regular files and folders. Opening a FIFO blocks until a writer
// comes, a device may never end: only regular files and folders are read.
func typeProblem(mode fs.FileMode) string {
	switch t := mode.Type(); {
	case t == 0 || t == fs.ModeDir:
		return ""
	case t&fs.ModeNamedPipe != 0:
		return "not a regular file (named pipe)"
	case t&fs.ModeSocket != 0:
		return "not a regular file (socket)"
	case t&fs.ModeDevice != 0:
		return "not a regular file (device)"
	case t&fs.ModeSymlink != 0:
		return "not a regular file (symbolic link)"
	}
	return "not a regular file"
}

const nameNotUTF8 = "file name is not valid UTF-8"

// notContentError is the error for a name that exists on disk but is not
// package content (a FIFO, a socket, a device): it counts as a missing
// file, so requests for it answer as for any missing file.
type notContentError struct{ reason string }

func (e notContentError) Error() string        { return e.reason }
func (e notContentError) Is(target error) bool { return target == fs.ErrNotExist }

func notContent(op, name, reason string) error {
	return &fs.PathError{Op: op, Path: name, Err: notContentError{reason}}
}

// OpenRegular opens a file of the local disk for reading if it is a
// regular file (a zip package, an archive found by the zip walk), without
// ever blocking: see openContent. Anything else gives a notContentError.
func OpenRegular(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		reason := typeProblem(info.Mode())
		if reason == "" {
			reason = "not a regular file"
		}
		err = notContent("open", name, reason)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
