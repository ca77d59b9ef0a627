package loader

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

// maxZipEntrySize is the largest entry a zip package may declare. Entries
// are decompressed while they are read, never whole into memory, so the cap
// only keeps sizes sane (a declared size over 1<<63 would be negative as
// an int64).
const maxZipEntrySize = 256 << 20

// maxInMemoryZip is the size up to which a zip package is read whole
// into memory while it is loaded: loading reads every entry once
// (zipContentProblem) and a few again, and one read of the file costs
// less than three small reads per entry. Larger archives are read in
// place.
const maxInMemoryZip = 32 << 20

// zipFS is the file system of a zip package, rooted at the directory that
// holds manifest.yml (a zip may hold the package in a top folder).
type zipFS struct {
	file *os.File
	// data reads the archive: from memory when it was small enough to
	// be read whole (see maxInMemoryZip), else from file.
	data    io.ReaderAt
	size    int64 // of the archive
	root    string
	modTime time.Time
	// entries are the usable entries in central-directory order. Entries
	// that could point outside the package (".." elements, absolute names,
	// NUL bytes, backslashes), repeat an earlier name, or declare
	// impossible sizes are left out so they can never be served; skipped
	// says which and why.
	entries []zipEntry
	byName  map[string]*zip.File // cleaned name -> the entry with it
	dirs    map[string]bool      // cleaned names of every directory, explicit or implied
	skipped []skippedEntry
}

// skippedEntry is a zip entry left out of the package, for the loader's
// warnings.
type skippedEntry struct {
	name, reason string
}

type zipEntry struct {
	clean string
	file  *zip.File
}

func openZipFS(zipPath string) (*zipFS, error) {
	f, err := OpenRegular(zipPath)
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
	var data io.ReaderAt = f
	if info.Size() <= maxInMemoryZip {
		b := make([]byte, info.Size())
		if _, err := f.ReadAt(b, 0); err != nil {
			return nil, err
		}
		data = bytes.NewReader(b)
	}
	zr, err := zip.NewReader(data, info.Size())
	if err != nil {
		return nil, err
	}
	z := &zipFS{
		file:    f,
		data:    data,
		size:    info.Size(),
		modTime: info.ModTime(),
		byName:  map[string]*zip.File{},
		dirs:    map[string]bool{},
	}
	var named []zipEntry
	seen := map[string]bool{}
	for _, zf := range zr.File {
		clean, reason := safeZipName(zf.Name)
		if reason == "" {
			reason = zipSizeProblem(zf, info.Size())
		}
		if reason == "" && seen[clean] {
			reason = "duplicate entry name, the first entry is used"
		}
		if reason != "" {
			z.skip(zf, reason)
			continue
		}
		seen[clean] = true
		named = append(named, zipEntry{clean: clean, file: zf})
		if z.root == "" {
			if dir, base := path.Split(clean); base == "manifest.yml" && dir != "" && !strings.Contains(strings.TrimSuffix(dir, "/"), "/") {
				z.root = strings.TrimSuffix(dir, "/")
			}
		}
	}
	// Only the entries under the root can be served, so only those are
	// read through, once, to check their declared sizes.
	for _, e := range named {
		if z.root != "" && strings.HasPrefix(e.clean, z.root+"/") && !strings.HasSuffix(e.file.Name, "/") {
			if reason := zipContentProblem(e.file); reason != "" {
				z.skip(e.file, reason)
				continue
			}
		}
		z.entries = append(z.entries, e)
		z.byName[e.clean] = e.file
		if strings.HasSuffix(e.file.Name, "/") {
			z.dirs[e.clean] = true
		}
		// At most MaxPathDepth steps: nameProblem bounds the depth.
		for d := path.Dir(e.clean); d != "."; d = path.Dir(d) {
			z.dirs[d] = true
		}
	}
	if z.root == "" {
		return nil, fmt.Errorf("failed to determine root directory in package (path: %s)", zipPath)
	}
	return z, nil
}

func (z *zipFS) skip(zf *zip.File, reason string) {
	z.skipped = append(z.skipped, skippedEntry{name: zf.Name, reason: reason})
}

// zipSizeProblem rejects entries whose declared sizes cannot be honest: over
// the entry cap, or more compressed bytes than the whole archive holds.
func zipSizeProblem(zf *zip.File, archiveSize int64) string {
	switch {
	case zf.UncompressedSize64 > maxZipEntrySize:
		return fmt.Sprintf("declared size %d is over the limit of %d bytes", zf.UncompressedSize64, maxZipEntrySize)
	case zf.CompressedSize64 > uint64(archiveSize):
		return fmt.Sprintf("declared compressed size %d is larger than the archive", zf.CompressedSize64)
	case zf.FileInfo().Size() != int64(zf.UncompressedSize64):
		// A zip64 record of 0 behind a 32-bit 0xFFFFFFFF: the reported
		// size and the readable data would disagree.
		return "inconsistent declared sizes"
	case zf.Method == zip.Store && zf.CompressedSize64 != zf.UncompressedSize64:
		return "stored entry with different compressed and uncompressed sizes"
	}
	return ""
}

// safeZipName cleans an entry name and says why it cannot be package
// content (nameProblem, the rule generated zips follow too), or "".
func safeZipName(name string) (string, string) {
	if reason := nameProblem(strings.TrimSuffix(name, "/")); reason != "" {
		return "", reason
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", "unsafe entry name"
	}
	return clean, ""
}

// zipContentProblem reads an entry through once: archive/zip checks at
// the end that the data had exactly the declared size and checksum. An
// entry that lies would otherwise be answered with its declared
// Content-Length and then cut. The reads are bounded by maxZipEntrySize
// per entry, checked before.
func zipContentProblem(zf *zip.File) string {
	if zf.Flags&0x1 != 0 {
		return "encrypted zip entries are not supported"
	}
	if zf.Method != zip.Store && zf.Method != zip.Deflate {
		return fmt.Sprintf("unsupported compression method %d", zf.Method)
	}
	rc, err := zf.Open()
	if err != nil {
		return err.Error()
	}
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return "data does not match the declared size and checksum: " + err.Error()
	}
	return ""
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
// place, compressed ones are decompressed as they are read.
func (z *zipFS) content(zf *zip.File) (io.ReadSeeker, error) {
	if zf.Flags&0x1 != 0 {
		return nil, errors.New("encrypted zip entries are not supported")
	}
	if zf.Method == zip.Store {
		off, err := zf.DataOffset()
		if err != nil {
			return nil, err
		}
		if off+int64(zf.CompressedSize64) > z.size {
			// A short read would break the Content-Length already sent.
			return nil, errors.New("zip entry data goes past the end of the archive")
		}
		return io.NewSectionReader(z.data, off, int64(zf.CompressedSize64)), nil
	}
	return newZipEntryReader(zf)
}

// Glob goes through the entries in central-directory order. Returned names
// are relative to the package root; directory entries keep their trailing
// slash, as upstream returns them.
func (z *zipFS) Glob(pattern string) ([]string, error) {
	// The root is a name, not a pattern: "?-1.0.0" must not match the
	// entries of a "t-1.0.0" folder beside it.
	full := globEscaper.Replace(z.root) + "/" + pattern
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

var globEscaper = strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)

func (z *zipFS) Close() error {
	return z.file.Close()
}

// zipFile is an opened entry (or directory) of a zip package.
type zipFile struct {
	info fs.FileInfo
	r    io.ReadSeeker
	dir  bool
	// archive is the zip file opened for this file alone (Files.Open),
	// closed with it; nil when the zipFS holds the archive.
	archive *os.File
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

func (f *zipFile) Close() error {
	var err error
	if c, ok := f.r.(io.Closer); ok {
		err = c.Close()
	}
	if f.archive != nil {
		if cerr := f.archive.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

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

// zipEntryInfo describes a file of a zip package from its file index.
type zipEntryInfo struct {
	name    string
	size    int64
	mode    fs.FileMode
	modTime time.Time
}

func (i zipEntryInfo) Name() string       { return i.name }
func (i zipEntryInfo) Size() int64        { return i.size }
func (i zipEntryInfo) Mode() fs.FileMode  { return i.mode }
func (i zipEntryInfo) ModTime() time.Time { return i.modTime }
func (i zipEntryInfo) IsDir() bool        { return i.mode.IsDir() }
func (i zipEntryInfo) Sys() any           { return nil }
