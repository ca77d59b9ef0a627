package packages

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"
)

// maxZipEntrySize caps how much of one deflated entry is decompressed into
// memory, so that a small zip bomb cannot exhaust memory.
const maxZipEntrySize = 256 << 20

// zipFS is the file system of a zip package, rooted at the directory that
// holds manifest.yml (package-model.md §2.2).
type zipFS struct {
	file    *os.File
	root    string
	modTime time.Time
	// entries are the usable entries in central-directory order; names
	// holding ".." elements, absolute names and NUL bytes are left out so
	// they can never be served.
	entries []zipEntry
	byName  map[string]*zip.File // cleaned name -> first entry with it
	dirs    map[string]bool      // cleaned names of every directory, explicit or implied
}

type zipEntry struct {
	clean string
	file  *zip.File
}

func openZipFS(zipPath string) (*zipFS, error) {
	f, err := os.Open(zipPath)
	if err != nil {
		return nil, err
	}
	z, err := newZipFS(f, zipPath)
	if err != nil {
		f.Close()
		return nil, err
	}
	return z, nil
}

func newZipFS(f *os.File, zipPath string) (*zipFS, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, info.Size())
	if err != nil {
		return nil, err
	}
	z := &zipFS{
		file:    f,
		modTime: info.ModTime(),
		byName:  map[string]*zip.File{},
		dirs:    map[string]bool{},
	}
	for _, zf := range zr.File {
		clean, ok := safeZipName(zf.Name)
		if !ok {
			continue
		}
		z.entries = append(z.entries, zipEntry{clean: clean, file: zf})
		if _, dup := z.byName[clean]; !dup {
			z.byName[clean] = zf
		}
		if strings.HasSuffix(zf.Name, "/") {
			z.dirs[clean] = true
		}
		for d := path.Dir(clean); d != "."; d = path.Dir(d) {
			z.dirs[d] = true
		}
		if z.root == "" {
			if dir, base := path.Split(clean); base == "manifest.yml" && dir != "" && !strings.Contains(strings.TrimSuffix(dir, "/"), "/") {
				z.root = strings.TrimSuffix(dir, "/")
			}
		}
	}
	if z.root == "" {
		return nil, fmt.Errorf("failed to determine root directory in package (path: %s)", zipPath)
	}
	return z, nil
}

// safeZipName cleans an entry name and rejects the ones that could point
// outside the archive root when used as a path.
func safeZipName(name string) (string, bool) {
	if name == "" || strings.IndexByte(name, 0) >= 0 || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) {
		return "", false
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "", false
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", false
	}
	return clean, true
}

// lookup finds a package-relative name; rel is its cleaned form.
func (z *zipFS) lookup(op, name string) (rel string, zf *zip.File, info fs.FileInfo, err error) {
	rel, err = cleanName(op, name)
	if err != nil {
		return "", nil, nil, err
	}
	full := z.root
	if rel != "." {
		full += "/" + rel
	}
	if zf, ok := z.byName[full]; ok {
		return rel, zf, zf.FileInfo(), nil
	}
	if z.dirs[full] {
		return rel, nil, zipDirInfo{name: path.Base(full), modTime: z.modTime}, nil
	}
	return rel, nil, nil, &fs.PathError{Op: op, Path: rel, Err: fs.ErrNotExist}
}

func (z *zipFS) Stat(name string) (fs.FileInfo, error) {
	_, _, info, err := z.lookup("stat", name)
	return info, err
}

func (z *zipFS) Open(name string) (fs.File, error) {
	rel, zf, info, err := z.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return &zipFile{info: info, r: bytes.NewReader(nil), dir: true}, nil
	}
	r, err := z.content(zf)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: rel, Err: err}
	}
	return &zipFile{info: info, r: r}, nil
}

// content gives a seekable reader of an entry: stored entries are read in
// place, deflated ones are decompressed into memory up to maxZipEntrySize.
func (z *zipFS) content(zf *zip.File) (io.ReadSeeker, error) {
	if zf.Flags&0x1 != 0 {
		return nil, errors.New("encrypted zip entries are not supported")
	}
	if zf.Method == zip.Store {
		off, err := zf.DataOffset()
		if err != nil {
			return nil, err
		}
		return io.NewSectionReader(z.file, off, int64(zf.CompressedSize64)), nil
	}
	if zf.UncompressedSize64 > maxZipEntrySize {
		return nil, fmt.Errorf("zip entry too large (%d bytes, limit %d)", zf.UncompressedSize64, maxZipEntrySize)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxZipEntrySize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxZipEntrySize {
		return nil, fmt.Errorf("zip entry too large (more than %d bytes)", maxZipEntrySize)
	}
	return bytes.NewReader(data), nil
}

// Glob goes through the entries in central-directory order. Returned names
// are relative to the package root; directory entries keep their trailing
// slash, as upstream returns them.
func (z *zipFS) Glob(pattern string) ([]string, error) {
	full := z.root + "/" + pattern
	if _, err := path.Match(full, ""); err != nil {
		return nil, err
	}
	var matches []string
	for _, e := range z.entries {
		if ok, _ := path.Match(full, e.clean); !ok {
			continue
		}
		rel := strings.TrimPrefix(e.clean, z.root+"/")
		if strings.HasSuffix(e.file.Name, "/") {
			rel += "/"
		}
		matches = append(matches, rel)
	}
	return matches, nil
}

func (z *zipFS) Close() error {
	return z.file.Close()
}

// zipFile is an opened entry (or directory) of a zip package.
type zipFile struct {
	info fs.FileInfo
	r    io.ReadSeeker
	dir  bool
}

func (f *zipFile) Stat() (fs.FileInfo, error) { return f.info, nil }

func (f *zipFile) Read(p []byte) (int, error) {
	if f.dir {
		return 0, &fs.PathError{Op: "read", Path: f.info.Name(), Err: errors.New("is a directory")}
	}
	return f.r.Read(p)
}

func (f *zipFile) Seek(offset int64, whence int) (int64, error) {
	return f.r.Seek(offset, whence)
}

func (f *zipFile) Close() error { return nil }

// zipDirInfo describes a directory that only exists as a prefix of entry
// names (zips built without directory entries).
type zipDirInfo struct {
	name    string
	modTime time.Time
}

func (i zipDirInfo) Name() string       { return i.name }
func (i zipDirInfo) Size() int64        { return 0 }
func (i zipDirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (i zipDirInfo) ModTime() time.Time { return i.modTime }
func (i zipDirInfo) IsDir() bool        { return true }
func (i zipDirInfo) Sys() any           { return nil }
