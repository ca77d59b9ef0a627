package loader

import (
	"archive/zip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// readAll opens name and returns its content, checking that the file can
// seek and reports its size, as http.ServeContent needs.
func readAll(t *testing.T, fsys PackageFS, name string) (string, error) {
	t.Helper()
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if info.IsDir() {
		return "", errors.New("is a directory")
	}
	seeker, ok := f.(io.ReadSeeker)
	if !ok {
		t.Fatalf("%s: opened file is not an io.ReadSeeker", name)
	}
	end, err := seeker.Seek(0, io.SeekEnd)
	if err != nil || end != info.Size() {
		t.Fatalf("%s: seek end = %d, %v; size %d", name, end, err, info.Size())
	}
	if _, err := seeker.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(seeker)
	return string(b), err
}

func TestDirFSSafety(t *testing.T) {
	base := t.TempDir()
	pkg := filepath.Join(base, "pkg")
	writeTree(t, pkg, map[string]string{
		"manifest.yml": "name: t\n",
		"img/a.svg":    "svg",
		"docs/":        "",
	})
	writeTree(t, base, map[string]string{"secret.txt": "secret", "etc/passwd": "root"})
	if err := os.Symlink("../secret.txt", filepath.Join(pkg, "out-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(pkg, "abs-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("img/a.svg", filepath.Join(pkg, "in-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..", filepath.Join(pkg, "up")); err != nil {
		t.Fatal(err)
	}

	fsys, err := NewPackageFS(pkg, false)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()

	cases := []struct {
		name, want string
		notExist   bool // else: any error
		ok         bool
	}{
		{name: "manifest.yml", want: "name: t\n", ok: true},
		{name: "/img/a.svg", want: "svg", ok: true},
		{name: "img/../img/a.svg", want: "svg", ok: true},
		{name: "in-link", want: "svg", ok: true},
		{name: "../secret.txt", notExist: true},
		{name: "../../../../etc/passwd", notExist: true},
		{name: "/etc/passwd", notExist: true},
		{name: "out-link"},
		{name: "abs-link"},
		{name: "up/secret.txt"},
		{name: "img/a.svg\x00.png"},
	}
	for _, c := range cases {
		got, err := readAll(t, fsys, c.name)
		switch {
		case c.ok && (err != nil || got != c.want):
			t.Errorf("%q: got %q, %v; want %q", c.name, got, err, c.want)
		case !c.ok && err == nil:
			t.Errorf("%q: opened a file outside the package: %q", c.name, got)
		case c.notExist && !errors.Is(err, fs.ErrNotExist):
			t.Errorf("%q: error %v, want not-exist", c.name, err)
		}
		if !c.ok && strings.Contains(got, "secret") {
			t.Errorf("%q leaked %q", c.name, got)
		}
	}

	for _, name := range []string{"docs", "/", ".", "img/"} {
		f, err := fsys.Open(name)
		if err != nil {
			t.Fatalf("open %q: %v", name, err)
		}
		info, _ := f.Stat()
		f.Close()
		if !info.IsDir() {
			t.Errorf("%q: IsDir false", name)
		}
	}

	_, err = fsys.Stat("img/nope.svg")
	if err == nil || err.Error() != "stat img/nope.svg: no such file or directory" {
		t.Errorf("stat error %v", err)
	}
	_, err = fsys.Open("nope.yml")
	if err == nil || err.Error() != "open nope.yml: no such file or directory" {
		t.Errorf("open error %v", err)
	}
}

func TestDirFSModTime(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.txt": "hello"})
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(dir, "a.txt"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	fsys, err := NewPackageFS(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	f, err := fsys.Open("a.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, _ := f.Stat()
	if !info.ModTime().Equal(mtime) || info.Size() != 5 {
		t.Errorf("mtime %v size %d", info.ModTime(), info.Size())
	}
}

func TestDirFSGlobOrder(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"x/a/f": "", "x/a.b/f": "", "x/B/f": "", "Z": "", "a": "", "x/a/g/h": "",
	})
	if err := os.Symlink("x", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	fsys, err := NewPackageFS(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	cases := []struct {
		pattern string
		want    []string
	}{
		{"*", []string{".", "Z", "a", "link", "x"}},
		{"*/*", []string{"x/B", "x/a", "x/a.b"}},
		// Depth-first per level, not a sort of full paths; symlinked
		// directories are not entered.
		{"*/*/*", []string{"x/B/f", "x/a/f", "x/a/g", "x/a.b/f"}},
		{"x/a/*", []string{"x/a/f", "x/a/g"}},
		{"*/*/*/*", []string{"x/a/g/h"}},
		{"*/*/*/*/*", nil},
	}
	for _, c := range cases {
		got, err := fsys.Glob(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Glob(%q) = %q, want %q", c.pattern, got, c.want)
		}
	}
	if _, err := fsys.Glob("[x"); err == nil {
		t.Error("bad pattern accepted")
	}
}

func TestZipFSRootDetection(t *testing.T) {
	cases := []struct {
		name    string
		entries []testZipEntry
		root    string // expected content of manifest.yml, "" for failure
	}{
		{"first qualifying entry wins", []testZipEntry{
			{name: "other/readme.txt", content: "x"},
			{name: "deep/er/manifest.yml", content: "deep"},
			{name: "anything/manifest.yml", content: "first"},
			{name: "second/manifest.yml", content: "second"},
		}, "first"},
		{"with directory entries", []testZipEntry{
			{name: "pkg-1.0.0/"},
			{name: "pkg-1.0.0/manifest.yml", content: "dirs"},
		}, "dirs"},
		{"manifest at the zip root", []testZipEntry{{name: "manifest.yml", content: "x"}}, ""},
		{"only deep manifests", []testZipEntry{{name: "a/b/manifest.yml", content: "x"}}, ""},
		{"traversal names are ignored", []testZipEntry{{name: "../manifest.yml", content: "x"}, {name: "/abs/manifest.yml", content: "x"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			zipPath := filepath.Join(t.TempDir(), "x.zip")
			writeZip(t, zipPath, c.entries)
			fsys, err := NewPackageFS(zipPath, true)
			if c.root == "" {
				want := "failed to determine root directory in package (path: " + zipPath + ")"
				if err == nil || err.Error() != want {
					t.Fatalf("error %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer fsys.Close()
			got, err := readAll(t, fsys, "manifest.yml")
			if err != nil || got != c.root {
				t.Errorf("manifest.yml = %q, %v; want %q", got, err, c.root)
			}
		})
	}
}

func TestZipFSFiles(t *testing.T) {
	zipPath := filepath.Join(t.TempDir(), "p.zip")
	big := strings.Repeat("0123456789", 1000)
	writeZip(t, zipPath, []testZipEntry{
		{name: "p/manifest.yml", content: "name: p\n"},
		{name: "p/img/"},
		{name: "p/img/stored.txt", content: "stored content", stored: true},
		{name: "p/img/deflated.txt", content: big},
		{name: "p/docs/README.md", content: "readme"},
		{name: "p/../evil.txt", content: "evil"},
		{name: "/p/abs.txt", content: "abs"},
		{name: "p/a/../b.txt", content: "dotdot"},
		{name: "outside.txt", content: "outside"},
	})
	fsys, err := NewPackageFS(zipPath, true)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()

	for name, want := range map[string]string{
		"manifest.yml":     "name: p\n",
		"/img/stored.txt":  "stored content",
		"img/deflated.txt": big,
		"docs/README.md":   "readme",
	} {
		got, err := readAll(t, fsys, name)
		if err != nil || got != want {
			t.Errorf("%q: got %d bytes, %v", name, len(got), err)
		}
	}
	for _, name := range []string{"../evil.txt", "evil.txt", "abs.txt", "/abs.txt", "b.txt", "../outside.txt", "outside.txt", "../p/../outside.txt", "manifest.yml\x00"} {
		if got, err := readAll(t, fsys, name); err == nil {
			t.Errorf("%q opened: %q", name, got)
		}
	}

	info, err := fsys.Stat("img/stored.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !info.ModTime().Equal(testZipTime) || info.Size() != int64(len("stored content")) || info.IsDir() {
		t.Errorf("stored.txt info: %v %d %v", info.ModTime(), info.Size(), info.IsDir())
	}
	for _, dir := range []string{"img", "img/", "docs", ".", "/"} {
		f, err := fsys.Open(dir)
		if err != nil {
			t.Fatalf("open %q: %v", dir, err)
		}
		st, _ := f.Stat()
		if !st.IsDir() {
			t.Errorf("%q is not a directory", dir)
		}
		if _, err := f.Read(make([]byte, 1)); err == nil {
			t.Errorf("%q: reading a directory succeeded", dir)
		}
		f.Close()
	}
	if _, err := fsys.Stat("nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat nope: %v", err)
	}

	globs := map[string][]string{
		"*":   {"manifest.yml", "img/"},
		"*/*": {"img/stored.txt", "img/deflated.txt", "docs/README.md"},
	}
	for pattern, want := range globs {
		got, err := fsys.Glob(pattern)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Glob(%q) = %q, %v; want %q", pattern, got, err, want)
		}
	}
}

// TestZipFSRefusesHugeEntries checks the zip bomb guard with an entry that
// declares a size over the limit.
func TestZipFSRefusesHugeEntries(t *testing.T) {
	zipPath := filepath.Join(t.TempDir(), "bomb.zip")
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("p/manifest.yml")
	w.Write([]byte("name: p\n"))
	// A raw deflate stream of a few bytes, declared as 1 GiB.
	raw, err := zw.CreateRaw(&zip.FileHeader{
		Name: "p/bomb.bin", Method: zip.Deflate,
		CompressedSize64: 2, UncompressedSize64: 1 << 30,
	})
	if err != nil {
		t.Fatal(err)
	}
	raw.Write([]byte{0x03, 0x00})
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	fsys, err := NewPackageFS(zipPath, true)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	// The entry is left out of the package: a plain "no such file", never
	// an allocation of its declared size.
	if _, err := fsys.Open("bomb.bin"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open bomb.bin: %v", err)
	}
	if _, err := fsys.Stat("bomb.bin"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stat bomb.bin: %v", err)
	}
	skipped := fsys.(*zipFS).skipped
	if len(skipped) != 1 || skipped[0].name != "p/bomb.bin" || !strings.Contains(skipped[0].reason, "over the limit") {
		t.Fatalf("skipped entries: %+v", skipped)
	}
}

func TestZipFSInvalidArchive(t *testing.T) {
	zipPath := filepath.Join(t.TempDir(), "bad.zip")
	if err := os.WriteFile(zipPath, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewPackageFS(zipPath, true); !errors.Is(err, zip.ErrFormat) {
		t.Fatalf("error %v, want zip.ErrFormat", err)
	}
	if _, err := NewPackageFS(filepath.Join(t.TempDir(), "missing.zip"), true); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error %v, want not-exist", err)
	}
}
