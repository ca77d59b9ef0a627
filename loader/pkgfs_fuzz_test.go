package loader

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

// zipSeeds are small archives: a valid package, one with hostile entries,
// one without directory entries, a truncated one, and plain garbage.
func zipSeeds(f *testing.F) [][]byte {
	f.Helper()
	build := func(entries []rawZipEntry, dirs bool) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		seen := map[string]bool{}
		for _, e := range entries {
			if dirs {
				for d := path.Dir(e.name); d != "." && d != "/" && !seen[d]; d = path.Dir(d) {
					seen[d] = true
					zw.Create(d + "/")
				}
			}
			if e.raw != nil {
				w, _ := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: e.method,
					CompressedSize64: uint64(len(e.raw)), UncompressedSize64: e.declared})
				w.Write(e.raw)
				continue
			}
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
			w.Write([]byte(e.content))
		}
		zw.Close()
		return buf.Bytes()
	}
	good := filesToZipEntriesRaw("t-1.0.0", merge(minimalFiles(), map[string]string{"img/a.svg": "<svg/>"}))
	for i := range good {
		good[i].method = zip.Deflate
	}
	valid := build(good, true)
	hostile := build(append(good,
		rawZipEntry{name: "t-1.0.0/../x", content: "x"},
		rawZipEntry{name: "t-1.0.0/img/a.svg", content: "dup"},
		rawZipEntry{name: "t-1.0.0/bomb", method: zip.Deflate, raw: []byte{3, 0}, declared: 1 << 40},
		rawZipEntry{name: "t-1.0.0/stored", method: zip.Store, raw: []byte("abc"), declared: 3},
	), false)
	return [][]byte{valid, build(good, false), hostile, valid[:len(valid)/2], []byte("PK\x05\x06garbage"), nil}
}

// FuzzZipPackage reads fuzzed bytes as a zip package: opening either fails
// or gives a file system whose every listed entry can be opened, read
// within its declared size and sought, and the loader either loads the
// package or returns an error.
func FuzzZipPackage(f *testing.F) {
	for _, s := range zipSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		zipPath := filepath.Join(t.TempDir(), "p.zip")
		if err := os.WriteFile(zipPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
		fsys, err := NewPackageFS(zipPath, true)
		if err != nil {
			return
		}
		defer fsys.Close()
		for pattern := "*"; strings.Count(pattern, "/") < 4; pattern += "/*" {
			names, err := fsys.Glob(pattern)
			if err != nil {
				t.Fatalf("glob %q: %v", pattern, err)
			}
			for _, name := range names {
				readEntry(t, fsys, name)
			}
		}
		if p, err := Load(zipPath, Options{}); err == nil {
			_, _ = packages.MarshalIndentJSON(p)
		}
	})
}

func readEntry(t *testing.T, fsys PackageFS, name string) {
	t.Helper()
	info, err := fsys.Stat(name)
	if err != nil {
		t.Fatalf("stat of listed entry %q: %v", name, err)
	}
	if info.Size() < 0 || info.Size() > maxZipEntrySize {
		t.Fatalf("%q: size %d", name, info.Size())
	}
	f, err := fsys.Open(name)
	if err != nil {
		return // unsupported method, encrypted, corrupt header
	}
	defer f.Close()
	if info.IsDir() {
		return
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		t.Fatalf("%q is not seekable", name)
	}
	n, _ := io.Copy(io.Discard, rs)
	if n > info.Size() {
		t.Fatalf("%q: read %d bytes, declared %d", name, n, info.Size())
	}
	if end, err := rs.Seek(0, io.SeekEnd); err != nil || end != info.Size() {
		t.Fatalf("%q: seek end %d, %v", name, end, err)
	}
	if info.Size() > 1 {
		rs.Seek(info.Size()/2, io.SeekStart)
		io.CopyN(io.Discard, rs, 1)
		rs.Seek(0, io.SeekStart)
		io.CopyN(io.Discard, rs, 1)
	}
}

// pathFixture is a directory package and a zip package with the same
// files, next to a secret file and with links leading out of the package.
type pathFixture struct {
	dir, zip string
	files    map[string]string
}

func newPathFixture(f *testing.F) pathFixture {
	f.Helper()
	base := f.TempDir()
	files := merge(minimalFiles(), map[string]string{"img/a.svg": "<svg/>", "img/sub/b.png": "png", ".hidden": "hidden"})
	fx := pathFixture{dir: filepath.Join(base, "pkgs", "t", "1.0.0"), zip: filepath.Join(base, "t-1.0.0.zip"), files: files}
	for name, content := range files {
		p := filepath.Join(fx.dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	os.WriteFile(filepath.Join(base, "secret.txt"), []byte(secret), 0o644)
	os.WriteFile(filepath.Join(base, "pkgs", "t", "secret.txt"), []byte(secret), 0o644)
	os.Symlink("../../../../secret.txt", filepath.Join(fx.dir, "img", "out"))
	os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(fx.dir, "abs"))
	os.Symlink("..", filepath.Join(fx.dir, "up"))
	os.Symlink("a.svg", filepath.Join(fx.dir, "img", "in"))

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range filesToZipEntries("t-1.0.0", files) {
		w, _ := zw.Create(e.name)
		w.Write([]byte(e.content))
	}
	for _, evil := range []string{"t-1.0.0/../secret.txt", "../secret.txt", "/secret.txt"} {
		w, _ := zw.Create(evil)
		w.Write([]byte(secret))
	}
	zw.Close()
	os.WriteFile(fx.zip, buf.Bytes(), 0o644)
	return fx
}

// FuzzPackageFSOpen asks both package file systems for fuzzed names. A name
// that opens must be a file of the package (its content is one of the
// package's files, never the secret beside it), and the link leading into
// the package is the only name not in the file list that may open.
func FuzzPackageFSOpen(f *testing.F) {
	for _, s := range []string{
		"manifest.yml", "/manifest.yml", "img/../manifest.yml", "../secret.txt", "../../secret.txt",
		"img/out", "abs", "up/secret.txt", "up/../secret.txt", "img/in", "%2e%2e/secret.txt", `..\secret.txt`,
		"img/sub/b.png\x00", "./img//a.svg", "img/sub/../../../../secret.txt", "", ".", "/", "up/up/up/manifest.yml",
	} {
		f.Add(s)
	}
	fx := newPathFixture(f)
	contents := map[string]bool{}
	for _, c := range fx.files {
		contents[c] = true
	}
	dirFS, err := NewPackageFS(fx.dir, false)
	if err != nil {
		f.Fatal(err)
	}
	zipFS, err := NewPackageFS(fx.zip, true)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { dirFS.Close(); zipFS.Close() })
	f.Fuzz(func(t *testing.T, name string) {
		for kind, fsys := range map[string]PackageFS{"dir": dirFS, "zip": zipFS} {
			file, err := fsys.Open(name)
			if err != nil {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("%s: error reveals the secret", kind)
				}
				continue
			}
			info, err := file.Stat()
			if err != nil {
				t.Fatalf("%s %q: stat of an open file: %v", kind, name, err)
			}
			b, readErr := io.ReadAll(file)
			file.Close()
			if info.IsDir() {
				continue
			}
			if readErr != nil && !errors.Is(readErr, fs.ErrInvalid) {
				t.Fatalf("%s %q: read: %v", kind, name, readErr)
			}
			if !contents[string(b)] {
				t.Fatalf("%s %q opened something that is not a package file: %q", kind, name, truncateBytes(b))
			}
		}
	})
}

func truncateBytes(b []byte) []byte {
	if len(b) > 100 {
		return b[:100]
	}
	return b
}
