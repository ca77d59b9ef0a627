package loader

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/eprgo/package-registry/packages"
)

// Files is the index of a local package's files, taken once when the
// package is loaded and kept with it (packages.Runtime.Files, an opaque
// value for the model): the listing of a directory package, the entries
// of a zip package with where their data lies. Requests look names up in
// it in constant time instead of listing the folder or reading the zip's
// central directory again, which cost time quadratic in the depth of the
// deepest path for every request. It holds only package content: regular
// files and folders whose names pass nameProblem, and zip entries whose
// data matched their declared size.
type Files struct {
	base  string
	isZip bool
	// index holds the files and folders in walk order (directory
	// packages, as fs.WalkDir) or archive order (zips), relative to the
	// package root; the root itself is ".". zips (zip packages only) are
	// by entry number.
	index nameIndex
	zips  []zipRef
	// archive is the zip file as it was when indexed: the offsets are
	// only valid for that file.
	archive fs.FileInfo
}

// zipRef is where a zip entry's data lies and what it declares, checked
// at load. It is kept by value and holds no pointer: a zip package keeps
// one per entry for as long as it is served, so nothing of the archive's
// central directory (header copies, name strings) may stay alive with it.
type zipRef struct {
	offset   int64 // of the data in the archive
	csize    int64
	size     int64
	mtime    int64 // Unix nanoseconds
	mode     fs.FileMode
	deflated bool
}

// info describes the entry named name.
func (z *zipRef) info(name string) fs.FileInfo {
	return zipEntryInfo{name: path.Base(name), size: z.size, mode: z.mode, modTime: time.Unix(0, z.mtime)}
}

// FilesOf returns the file index of a local package loaded by Load, or nil.
func FilesOf(p *packages.Package) *Files {
	f, _ := p.Files.(*Files)
	return f
}

// IndexFiles takes the file index of a local package outside a load (a
// package built by hand, a zip changed since its load).
func IndexFiles(basePath string, isZip bool) (*Files, error) {
	fsys, err := NewPackageFS(basePath, isZip)
	if err != nil {
		return nil, err
	}
	fsys = forLoading(fsys, nil)
	defer fsys.Close()
	return filesOf(fsys, basePath), nil
}

// filesOf builds the index from a loader's file system.
func filesOf(fsys PackageFS, basePath string) *Files {
	if w, ok := fsys.(withCache); ok {
		fsys = w.PackageFS
	}
	f := &Files{base: basePath}
	var b filesBuilder
	switch fsys := fsys.(type) {
	case *listedFS:
		fsys.indexInto(&b)
	case *zipFS:
		f.isZip, b.isZip = true, true
		f.archive, _ = fsys.file.Stat()
		fsys.indexInto(&b)
	}
	// Copies of exact size: the builder's slices grew by doubling, and the
	// index lives as long as the package is served.
	f.index, f.zips = newNameIndex(b.names, b.dirs), slices.Clone(b.zips)
	return f
}

// indexInto lists the package content of a directory package: the
// visible entries, and links that lead to a regular file inside it.
func (l *listedFS) indexInto(f *filesBuilder) {
	l.list()
	for _, e := range l.entries {
		if e.hidden != "" || e.path != "." && nameProblem(e.path) != "" {
			continue
		}
		switch {
		case e.mode.IsDir():
			f.add(e.path, true, nil)
		case e.mode.IsRegular():
			f.add(e.path, false, nil)
		case e.mode&fs.ModeSymlink != 0:
			if info, err := l.dirFS.Stat(e.path); err == nil && info.Mode().IsRegular() {
				f.add(e.path, false, nil)
			}
		}
	}
}

// indexInto lists the entries under the zip's root folder, and the
// folders their names imply.
func (z *zipFS) indexInto(f *filesBuilder) {
	f.add(".", true, nil)
	prefix := z.root + "/"
	for _, e := range z.entries {
		rel, ok := strings.CutPrefix(e.clean, prefix)
		if !ok {
			continue
		}
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			f.add(d, true, nil)
		}
		if strings.HasSuffix(e.file.Name, "/") {
			f.add(rel, true, nil)
			continue
		}
		off, err := e.file.DataOffset()
		if err != nil {
			continue
		}
		info := e.file.FileInfo()
		f.add(rel, false, &zipRef{
			offset:   off,
			csize:    int64(e.file.CompressedSize64),
			size:     info.Size(),
			mtime:    info.ModTime().UnixNano(),
			mode:     info.Mode(),
			deflated: e.file.Method == zip.Deflate,
		})
	}
}

// Open opens a file or folder of the package by its index: a name the
// index does not hold is missing, whatever is on disk. Files of directory
// packages are opened without blocking and must still be regular files
// (openContent); entries of zips are read at the offsets found at load.
func (f *Files) Open(name string) (fs.File, error) {
	return f.open(name, true)
}

// open is Open; reindex says whether a zip replaced since the load may be
// indexed again (once per request).
func (f *Files) open(name string, reindex bool) (fs.File, error) {
	rel, err := cleanName("open", name)
	if err != nil {
		return nil, err
	}
	i, ok := f.index.lookup(rel)
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: rel, Err: fs.ErrNotExist}
	}
	if !f.isZip {
		root, err := os.OpenRoot(f.base)
		if err != nil {
			return nil, err
		}
		defer root.Close()
		return openFile(root, rel)
	}
	if f.index.dir(i) {
		info := zipDirInfo{name: path.Base(rel), modTime: f.archive.ModTime()}
		return &zipFile{info: info, r: bytes.NewReader(nil), dir: true}, nil
	}
	a, err := OpenRegular(f.base)
	if err != nil {
		return nil, err
	}
	if info, err := a.Stat(); err != nil || !sameFile(f.archive, info) {
		a.Close()
		if !reindex {
			return nil, &fs.PathError{Op: "open", Path: rel, Err: fs.ErrNotExist}
		}
		// Replaced since the load: index it again, until the watcher's
		// reload (or a restart) takes the new archive in.
		fresh, err := IndexFiles(f.base, true)
		if err != nil {
			return nil, err
		}
		return fresh.open(name, false)
	}
	z := &f.zips[i]
	var r io.ReadSeeker = io.NewSectionReader(a, z.offset, z.csize)
	if z.deflated {
		r = newEntryReader(z.size, func() (io.ReadCloser, error) {
			return flate.NewReader(io.NewSectionReader(a, z.offset, z.csize)), nil
		})
	}
	return &zipFile{info: z.info(rel), r: r, archive: a}, nil
}

// sameFile tells whether two file informations are of the same file in
// the same state.
func sameFile(a, b fs.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// Each calls fn for every file and folder of a directory package but its
// root, in walk order, with its file information and, for files, the
// content (closed when fn returns). Entries that are no longer there, or
// no longer a regular file or folder, are left out.
func (f *Files) Each(fn func(name string, info fs.FileInfo, content io.Reader) error) error {
	root, err := os.OpenRoot(f.base)
	if err != nil {
		return err
	}
	defer root.Close()
	for i := range f.index.len() {
		name := f.index.name(i)
		if name == "." || f.isZip {
			continue
		}
		if f.index.dir(i) {
			if info, err := root.Lstat(name); err == nil && info.IsDir() {
				if err := fn(name, info, nil); err != nil {
					return err
				}
			}
			continue
		}
		if err := eachFile(root, name, fn); err != nil {
			return err
		}
	}
	return nil
}

func eachFile(root *os.Root, name string, fn func(string, fs.FileInfo, io.Reader) error) error {
	file, err := openContent(root, name)
	if err != nil {
		return nil
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return nil
	}
	return fn(name, info, file)
}
