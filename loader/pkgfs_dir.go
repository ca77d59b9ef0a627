package loader

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
	"unicode/utf8"
)

// dirFS is the file system of a directory package. It is built on os.Root,
// so symbolic links cannot lead outside the package either.
type dirFS struct {
	root *os.Root
}

func openDirFS(basePath string) (*dirFS, error) {
	r, err := os.OpenRoot(basePath)
	if err != nil {
		return nil, err
	}
	return &dirFS{root: r}, nil
}

func (f *dirFS) Open(name string) (fs.File, error) {
	rel, err := cleanName("open", name)
	if err != nil {
		return nil, err
	}
	return openFile(f.root, rel)
}

// openFile is openContent as an fs.File: nil, not a nil *os.File, on
// failure.
func openFile(root *os.Root, rel string) (fs.File, error) {
	file, err := openContent(root, rel)
	if err != nil {
		return nil, err
	}
	return file, nil
}

// openContent opens a file or folder of a directory package without
// blocking: O_NONBLOCK makes open(2) of a FIFO return at once (it does
// nothing to regular files), and the type of what was opened is checked
// after the open, so a file swapped for a FIFO after the listing cannot
// block either. Anything but a regular file or a folder is not package
// content.
func openContent(root *os.Root, rel string) (*os.File, error) {
	file, err := root.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, rootError("open", rel, err)
	}
	info, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, rootError("open", rel, err)
	}
	if reason := typeProblem(info.Mode()); reason != "" {
		file.Close()
		return nil, notContent("open", rel, reason)
	}
	return file, nil
}

func (f *dirFS) Stat(name string) (fs.FileInfo, error) {
	rel, err := cleanName("stat", name)
	if err != nil {
		return nil, err
	}
	info, err := f.root.Stat(rel)
	if err != nil {
		return nil, rootError("stat", rel, err)
	}
	if reason := typeProblem(info.Mode()); reason != "" {
		return nil, notContent("stat", rel, reason)
	}
	return info, nil
}

// Glob walks the tree in lexical depth-first order (fs.WalkDir) without
// following symbolic links. The root itself is visited as ".".
func (f *dirFS) Glob(pattern string) ([]string, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, err
	}
	depth := globDepth(pattern)
	var matches []string
	err := fs.WalkDir(f.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ok, _ := path.Match(pattern, p); ok {
			matches = append(matches, p)
		}
		if d.IsDir() && p != "." && strings.Count(p, "/")+1 >= depth {
			return fs.SkipDir
		}
		if d.IsDir() && !utf8.ValidString(p) {
			// io/fs cannot name anything inside it (fs.ValidPath wants
			// UTF-8); the directory itself is listed, for the caller to
			// report.
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return matches, nil
}

func (f *dirFS) Close() error {
	return f.root.Close()
}

// rootError reports os.Root failures with the plain operation name, e.g.
// "stat img/a.svg: no such file or directory", as upstream's messages do.
func rootError(op, name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}
