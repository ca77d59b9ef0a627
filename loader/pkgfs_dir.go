package loader

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
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
	file, err := f.root.Open(rel)
	if err != nil {
		return nil, rootError("open", rel, err)
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
