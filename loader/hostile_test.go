package loader

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/eprgo/package-registry/packages"
)

// Hostile packages (docs/security.md): each one is either refused with an
// error naming the file and the reason, or loaded with the dangerous part
// left out and a warning naming it. Nothing outside the package is ever
// readable through its file system.

const secret = "TOP SECRET, outside every package"

// observedLogger records every log entry, of any level, for the
// assertions (the loader logs warnings only).
func observedLogger() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zapcore.DebugLevel)
	return zap.New(core), logs
}

// warnings gives "message | field=value ..." lines, for matching.
func warnings(logs *observer.ObservedLogs) []string {
	var out []string
	for _, e := range logs.All() {
		line := e.Message
		for _, f := range e.Context {
			line += " | " + f.Key + "=" + f.String
		}
		out = append(out, line)
	}
	return out
}

func requireWarning(t *testing.T, logs *observer.ObservedLogs, parts ...string) {
	t.Helper()
	for _, w := range warnings(logs) {
		if containsAll(w, parts) {
			return
		}
	}
	t.Errorf("no warning with %q among:\n%s", parts, strings.Join(warnings(logs), "\n"))
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// requireNoSecret reads every name through the package file system and
// fails if any of them gives the content of the file outside the package.
func requireNoSecret(t *testing.T, fsys PackageFS, names ...string) {
	t.Helper()
	for _, name := range names {
		f, err := fsys.Open(name)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%q reads the secret outside the package", name)
		}
	}
}

func assetNames(p *packages.Package) []string {
	var out []string
	for _, a := range p.Assets {
		out = append(out, strings.TrimPrefix(a, "/package/t/1.0.0/"))
	}
	return out
}

// rawZipEntry is written with CreateRaw when raw is set, so that its
// declared sizes can lie.
type rawZipEntry struct {
	name     string
	content  string
	method   uint16
	raw      []byte
	declared uint64 // declared uncompressed size for raw entries
}

func writeRawZip(t *testing.T, zipPath string, entries []rawZipEntry) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.raw != nil {
			w, err := zw.CreateRaw(&zip.FileHeader{
				Name: e.name, Method: e.method,
				CompressedSize64: uint64(len(e.raw)), UncompressedSize64: e.declared,
			})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.raw)
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: testZipTime})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zipPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hostileZipDir returns a directory holding the secret file next to where
// the zip goes, so that a ../ entry resolved against the zip's directory
// would find it.
func hostileZipDir(t *testing.T) string {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"secret.txt": secret, "p/secret.txt": secret})
	return dir
}

func TestHostileZipEntryNames(t *testing.T) {
	dir := hostileZipDir(t)
	zipPath := filepath.Join(dir, "t-1.0.0.zip")
	entries := append(filesToZipEntriesRaw("t-1.0.0", minimalFiles()),
		rawZipEntry{name: "t-1.0.0/../secret.txt", content: secret},
		rawZipEntry{name: "../secret.txt", content: secret},
		rawZipEntry{name: "t-1.0.0/img/../../secret.txt", content: secret},
		rawZipEntry{name: "/etc/passwd", content: secret},
		rawZipEntry{name: "/t-1.0.0/abs.txt", content: secret},
		rawZipEntry{name: `t-1.0.0\..\secret.txt`, content: secret},
		rawZipEntry{name: `t-1.0.0/img\evil.txt`, content: secret},
		rawZipEntry{name: "t-1.0.0/nul\x00.txt", content: secret},
		rawZipEntry{name: "t-1.0.0/img/ok.txt", content: "fine"},
	)
	writeRawZip(t, zipPath, entries)

	logger, logs := observedLogger()
	p, err := Load(zipPath, Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"manifest.yml", "docs/README.md", "img/ok.txt"}
	if got := assetNames(p); !slices.Equal(got, want) {
		t.Errorf("assets = %q, want %q", got, want)
	}
	for _, name := range []string{"t-1.0.0/../secret.txt", "../secret.txt", "/etc/passwd", `t-1.0.0\..\secret.txt`, "t-1.0.0/nul\x00.txt"} {
		requireWarning(t, logs, "ignoring zip entry", "file.path="+zipPath, "zip.entry="+name, "reason=unsafe entry name")
	}

	fsys, err := NewPackageFS(zipPath, true)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	requireNoSecret(t, fsys, "../secret.txt", "secret.txt", "abs.txt", "/abs.txt", "etc/passwd", "/etc/passwd",
		`..\secret.txt`, `img\evil.txt`, "img/evil.txt", "nul.txt", "nul\x00.txt", "../t-1.0.0/../secret.txt",
		"img/../../secret.txt", "../../../../../../etc/passwd")
}

func filesToZipEntriesRaw(root string, files map[string]string) []rawZipEntry {
	var out []rawZipEntry
	for _, e := range filesToZipEntries(root, files) {
		out = append(out, rawZipEntry{name: e.name, content: e.content})
	}
	return out
}

func TestHostileZipBombDeclaredSizes(t *testing.T) {
	zipPath := filepath.Join(t.TempDir(), "t-1.0.0.zip")
	entries := append(filesToZipEntriesRaw("t-1.0.0", minimalFiles()),
		// An empty deflate stream declared as 1 TiB, and one declared
		// beyond what an int64 holds.
		rawZipEntry{name: "t-1.0.0/img/bomb.bin", method: zip.Deflate, raw: []byte{0x03, 0x00}, declared: 1 << 40},
		rawZipEntry{name: "t-1.0.0/img/negative.bin", method: zip.Deflate, raw: []byte{0x03, 0x00}, declared: 1<<64 - 1},
		// A stored entry that claims more bytes than the archive has.
		rawZipEntry{name: "t-1.0.0/img/short.bin", method: zip.Store, raw: []byte("abc"), declared: 1 << 20},
		// A deflated entry that says less than it holds: its data does
		// not match its declared size, so it is left out at load (it
		// used to be listed and cut at the declared size).
		rawZipEntry{name: "t-1.0.0/img/liar.txt", method: zip.Deflate, raw: deflate(t, strings.Repeat("x", 4096)), declared: 10},
	)
	writeRawZip(t, zipPath, entries)

	logger, logs := observedLogger()
	p, err := Load(zipPath, Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"manifest.yml", "docs/README.md"}
	if got := assetNames(p); !slices.Equal(got, want) {
		t.Errorf("assets = %q, want %q", got, want)
	}
	requireWarning(t, logs, "zip.entry=t-1.0.0/img/bomb.bin", "reason=declared size 1099511627776 is over the limit")
	requireWarning(t, logs, "zip.entry=t-1.0.0/img/negative.bin", "over the limit")
	requireWarning(t, logs, "zip.entry=t-1.0.0/img/short.bin", "reason=stored entry with different compressed and uncompressed sizes")
	requireWarning(t, logs, "zip.entry=t-1.0.0/img/liar.txt", "reason=data does not match the declared size")

	fsys, err := NewPackageFS(zipPath, true)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	for _, name := range []string{"img/bomb.bin", "img/negative.bin", "img/short.bin", "img/liar.txt"} {
		if _, err := fsys.Open(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("open %s: %v, want not-exist", name, err)
		}
	}
}

func deflate(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "x", Method: zip.Deflate})
	w.Write([]byte(s))
	zw.Close()
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(rc)
	return raw
}

// TestHostileZipBombRealContent: an entry of 64 MiB of zeros is about
// 64 KiB in the archive. Reading it, whole or by ranges, must not hold it
// in memory.
func TestHostileZipBombRealContent(t *testing.T) {
	const size = 64 << 20
	zipPath := filepath.Join(t.TempDir(), "t-1.0.0.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range filesToZipEntries("t-1.0.0", minimalFiles()) {
		w, _ := zw.Create(e.name)
		w.Write([]byte(e.content))
	}
	w, _ := zw.Create("t-1.0.0/img/zeros.bin")
	zero := make([]byte, 1<<20)
	for range size / len(zero) {
		w.Write(zero)
	}
	zw.Close()
	if buf.Len() > size/100 {
		t.Fatalf("archive is %d bytes, not a bomb", buf.Len())
	}
	if err := os.WriteFile(zipPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(zipPath, Options{}); err != nil {
		t.Fatal(err)
	}
	fsys, err := NewPackageFS(zipPath, true)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()

	allocated := func(read func(rs io.ReadSeeker)) uint64 {
		f, err := fsys.Open("img/zeros.bin")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		read(f.(io.ReadSeeker))
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	whole := allocated(func(rs io.ReadSeeker) {
		n, err := io.Copy(io.Discard, rs)
		if err != nil || n != size {
			t.Fatalf("read %d bytes, %v", n, err)
		}
	})
	ranged := allocated(func(rs io.ReadSeeker) {
		// What http.ServeContent does for a range near the end.
		if end, _ := rs.Seek(0, io.SeekEnd); end != size {
			t.Fatalf("size %d", end)
		}
		rs.Seek(size-10, io.SeekStart)
		b, err := io.ReadAll(rs)
		if err != nil || len(b) != 10 {
			t.Fatalf("range: %d bytes, %v", len(b), err)
		}
	})
	for what, n := range map[string]uint64{"whole": whole, "range": ranged} {
		if n > 4<<20 {
			t.Errorf("%s read of a %d-byte entry allocated %d bytes", what, size, n)
		}
	}
}

func TestHostileZipDuplicateEntries(t *testing.T) {
	zipPath := filepath.Join(t.TempDir(), "t-1.0.0.zip")
	entries := append(filesToZipEntriesRaw("t-1.0.0", minimalFiles()),
		rawZipEntry{name: "t-1.0.0/img/a.txt", content: "first"},
		rawZipEntry{name: "t-1.0.0/img/a.txt", content: "second"},
		rawZipEntry{name: "t-1.0.0/img//a.txt", content: "third"},
		rawZipEntry{name: "t-1.0.0/manifest.yml", content: "name: evil\n"},
	)
	writeRawZip(t, zipPath, entries)

	logger, logs := observedLogger()
	p, err := Load(zipPath, Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "t" {
		t.Errorf("the second manifest.yml won: name %q", p.Name)
	}
	want := []string{"manifest.yml", "docs/README.md", "img/a.txt"}
	if got := assetNames(p); !slices.Equal(got, want) {
		t.Errorf("assets = %q, want %q", got, want)
	}
	for _, name := range []string{"t-1.0.0/img/a.txt", "t-1.0.0/img//a.txt", "t-1.0.0/manifest.yml"} {
		requireWarning(t, logs, "zip.entry="+name, "reason=duplicate entry name")
	}
	fsys, err := NewPackageFS(zipPath, true)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	if got, err := readAll(t, fsys, "img/a.txt"); err != nil || got != "first" {
		t.Errorf("img/a.txt = %q, %v; want the first entry", got, err)
	}
}

func TestHostileSymlinksInDirectoryPackage(t *testing.T) {
	base := t.TempDir()
	writeTree(t, base, map[string]string{"secret.txt": secret, "secretdir/key.pem": secret})
	dir := filepath.Join(base, "t", "1.0.0")
	writeTree(t, dir, merge(minimalFiles(), map[string]string{"img/a.svg": "svg"}))
	links := map[string]string{
		"img/out.svg":    "../../../secret.txt",
		"img/abs.svg":    filepath.Join(base, "secret.txt"),
		"img/outdir":     "../../../secretdir",
		"docs/up":        "..",
		"img/dangling":   "nowhere.svg",
		"img/loop":       "loop",
		"img/in.svg":     "a.svg",
		"kibana/etc-dir": "/etc",
	}
	for name, target := range links {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}

	logger, logs := observedLogger()
	p, err := Load(dir, Options{Logger: logger})
	if err != nil {
		t.Fatalf("a link leading out of the package failed the package: %v", err)
	}
	// Only the link to a file of the package is listed; "docs/up" leads to
	// the package root, a directory, so it is not an asset either.
	want := []string{"manifest.yml", "docs/README.md", "img/a.svg", "img/in.svg"}
	if got := assetNames(p); !slices.Equal(got, want) {
		t.Errorf("assets = %q, want %q", got, want)
	}
	for _, name := range []string{"img/out.svg", "img/abs.svg", "img/outdir", "kibana/etc-dir"} {
		requireWarning(t, logs, "ignoring package file that cannot be served", "file.path="+filepath.Join(dir, name), "reason=", "path escapes from parent")
	}
	requireWarning(t, logs, "file.path="+filepath.Join(dir, "img/dangling"), "no such file")
	requireWarning(t, logs, "file.path="+filepath.Join(dir, "img/loop"), "reason=")

	fsys, err := NewPackageFS(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	requireNoSecret(t, fsys, "img/out.svg", "img/abs.svg", "img/outdir/key.pem", "docs/up/../../../secret.txt",
		"docs/up/docs/up/../secret.txt", "kibana/etc-dir/passwd", "../../secret.txt", "/../secret.txt")
	if got, err := readAll(t, fsys, "img/in.svg"); err != nil || got != "svg" {
		t.Errorf("link inside the package: %q, %v", got, err)
	}
}

func TestHostileHugeManifest(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		err   string // empty: loads
	}{
		{
			// Just under the cap, one long scalar: parsed and served.
			name:  "3 MiB description",
			files: map[string]string{"manifest.yml": minimalManifest + "description: " + strings.Repeat("a", 3<<20) + "\n"},
		},
		{
			name:  "8 MiB manifest",
			files: map[string]string{"manifest.yml": minimalManifest + strings.Repeat("# padding comment line\n", 8<<20/23)},
			err:   "manifest.yml: file too large to be parsed (more than 4194304 bytes)",
		},
		{
			name: "huge fields file",
			files: merge(validDataStream("logs", "title: Logs\ntype: logs\n"), map[string]string{
				"manifest.yml":                     minimalManifest,
				"data_stream/logs/fields/huge.yml": strings.Repeat("- name: f\n  type: keyword\n", 5<<20/26),
			}),
			err: "data_stream/logs/fields/huge.yml: file too large to be parsed",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := merge(minimalFiles(), c.files)
			for _, zipped := range []bool{false, true} {
				location := writePackageDir(t, "1.0.0", files)
				if zipped {
					location = filepath.Join(t.TempDir(), "t-1.0.0.zip")
					writeZip(t, location, filesToZipEntries("t-1.0.0", files))
				}
				p, err := Load(location, Options{})
				switch {
				case c.err == "" && err != nil:
					t.Errorf("zip %v: %v", zipped, err)
				case c.err == "" && len(p.Description) != 3<<20:
					t.Errorf("zip %v: description of %d bytes", zipped, len(p.Description))
				case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
					t.Errorf("zip %v: error %v, want %q", zipped, err, c.err)
				}
			}
		})
	}
}

// TestHostileYAMLExpansion: nested aliases ("billion laughs") and dotted
// keys nested deep are refused with a clear error, fast and without
// building the expanded document.
func TestHostileYAMLExpansion(t *testing.T) {
	laughs := "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		laughs += n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+", ", 10), ", ") + "]\n"
		prev = n
	}
	mapLaughs := "a: &a {k0: 1, k1: 2, k2: 3, k3: 4, k4: 5, k5: 6, k6: 7, k7: 8, k8: 9, k9: 10}\n"
	prev = "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		mapLaughs += n + ": &" + n + " {"
		for k := range 10 {
			mapLaughs += fmt.Sprintf("k%d: *%s, ", k, prev)
		}
		mapLaughs = strings.TrimSuffix(mapLaughs, ", ") + "}\n"
		prev = n
	}
	mergeLaughs := "a: &a {x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n"
	prev = "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		mergeLaughs += n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("{<<: *"+prev+"}, ", 10), ", ") + "]\n"
		prev = n
	}
	cases := []struct {
		name, doc, err string
	}{
		{"sequence aliases", laughs, "document too large"},
		{"mapping aliases", mapLaughs, "document too large"},
		{"merge keys", mergeLaughs, "document too large"},
		{"self reference", "a: &a [*a]\n", "contains itself"},
		// Implicit keys stop at 1024 characters; explicit ones ("? key")
		// do not.
		{"deep dotted key", "? " + strings.Repeat("a.", 100000) + "b\n: 1\n", "document too deep"},
		{"deep dotted keys in nesting", nestedDottedKeys(200), "document too deep"},
		{"deep flow nesting", "vars: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n", "yaml:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Indentation-nested documents grow with their depth, so keep
			// the test input well-formed but small.
			files := merge(minimalFiles(), map[string]string{"manifest.yml": minimalManifest + c.doc})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Load(writePackageDir(t, "1.0.0", files), Options{})
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("error %v, want %q", err, c.err)
			}
			t.Logf("allocated %d MB", (after.TotalAlloc-before.TotalAlloc)>>20)
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<30 {
				t.Errorf("refusing it allocated %d bytes", n)
			}
		})
	}
}

// nestedDottedKeys nests levels mappings, each under a key of ten dotted
// parts.
func nestedDottedKeys(levels int) string {
	var b strings.Builder
	b.WriteString("vars:\n")
	for i := range levels {
		b.WriteString(strings.Repeat(" ", i+1) + "a.a.a.a.a.a.a.a.a.a:\n")
	}
	b.WriteString(strings.Repeat(" ", levels+1) + "b: 1\n")
	return b.String()
}

func TestHostileDeepDocumentWithinLimits(t *testing.T) {
	// 900 levels (the cap is 1000) decode and encode without trouble.
	doc := minimalManifest + "vars:\n  - name: v\n    type: text\n    default:\n      ? " + strings.Repeat("a.", 900) + "b\n      : 1\n"
	p, err := Load(writePackageDir(t, "1.0.0", merge(minimalFiles(), map[string]string{"manifest.yml": doc})), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := packages.MarshalIndentJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"b": 1`)) {
		t.Errorf("deep default lost")
	}
}

func TestHostileNonUTF8Names(t *testing.T) {
	bad := "img/caf\xe9.svg" // Latin-1, not UTF-8
	files := merge(minimalFiles(), map[string]string{"img/ok.svg": "ok", bad: "bad", "\xff\xfe/x.txt": "bad dir"})

	t.Run("directory", func(t *testing.T) {
		dir := writePackageDir(t, "1.0.0", files)
		logger, logs := observedLogger()
		p, err := Load(dir, Options{Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"manifest.yml", "docs/README.md", "img/ok.svg"}
		if got := assetNames(p); !slices.Equal(got, want) {
			t.Errorf("assets = %q, want %q", got, want)
		}
		requireWarning(t, logs, "file.path="+filepath.Join(dir, bad), "reason=file name is not valid UTF-8")
		// Nothing inside a directory with such a name can be opened.
		requireWarning(t, logs, "file.path="+filepath.Join(dir, "\xff\xfe"), "not valid UTF-8")
	})
	t.Run("zip", func(t *testing.T) {
		zipPath := filepath.Join(t.TempDir(), "t-1.0.0.zip")
		writeZip(t, zipPath, filesToZipEntries("t-1.0.0", files))
		logger, logs := observedLogger()
		p, err := Load(zipPath, Options{Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"manifest.yml", "docs/README.md", "img/ok.svg"}
		if got := assetNames(p); !slices.Equal(got, want) {
			t.Errorf("assets = %q, want %q", got, want)
		}
		requireWarning(t, logs, "not valid UTF-8", "caf")
	})
}

// TestHostileZipRootWithGlobCharacters: the package root of a zip is a
// folder name, not a pattern. A root "?-1.0.0" must not pull the files of
// a "t-1.0.0" folder of the same archive into the package (found by
// FuzzZipPackage).
func TestHostileZipRootWithGlobCharacters(t *testing.T) {
	for _, root := range []string{"?-1.0.0", "*", "[t]-1.0.0"} {
		zipPath := filepath.Join(t.TempDir(), "p.zip")
		entries := append(filesToZipEntriesRaw(root, minimalFiles()),
			rawZipEntry{name: "t-1.0.0/img/other.svg", content: secret},
			rawZipEntry{name: "t-1.0.0/manifest.yml", content: secret})
		writeRawZip(t, zipPath, entries)
		p, err := Load(zipPath, Options{})
		if err != nil {
			t.Fatalf("root %q: %v", root, err)
		}
		if got, want := assetNames(p), []string{"manifest.yml", "docs/README.md"}; !slices.Equal(got, want) {
			t.Errorf("root %q: assets %q, want %q", root, got, want)
		}
	}
}

// TestLoadPackageClosesEverything: loading keeps folders of the package
// open while it runs and must close them all. A leak of a few descriptors
// per package ran FuzzLoadPackage out of file descriptors, and would do the
// same to a registry reloading a watched folder.
func TestLoadPackageClosesEverything(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc/self/fd")
	}
	files := minimalFiles()
	for i := range 20 {
		files[fmt.Sprintf("img/d%d/e/f.svg", i)] = "svg"
	}
	dir := writePackageDir(t, "1.0.0", merge(files, validDataStream("logs", "title: Logs\ntype: logs\n")))
	zipPath := filepath.Join(t.TempDir(), "t-1.0.0.zip")
	writeZip(t, zipPath, filesToZipEntries("t-1.0.0", files))
	openFDs := func() int {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	before := openFDs()
	for range 30 {
		for _, location := range []string{dir, zipPath} {
			if _, err := Load(location, Options{Cache: NewCache()}); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(location, Options{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if after := openFDs(); after > before+5 {
		t.Errorf("%d file descriptors open after 120 loads, %d before", after, before)
	}
}
