package server

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eprgo/package-registry/indexer"
)

// Hostile package files on a real server with the real indexer
// (docs/security.md, "Package files"): special files, paths nested deeper
// or longer than the limits, names only Windows reads as paths, and zip
// entries whose declared size lies. Each is left out of its package at
// load; the rest of the package is served.

// hangLimit bounds how long a request or a load may take before the test
// calls it hung. It is far above any honest answer (milliseconds), so the
// test does not depend on timing: without the fix these block for ever.
const hangLimit = 20 * time.Second

// deepName is a path of n folders "d" ending in file.
func deepName(n int, file string) string {
	return strings.Repeat("d/", n) + file
}

// gammaZipWriter starts a zip of the gamma package's files.
func gammaZipWriter(t *testing.T, w io.Writer) *zip.Writer {
	t.Helper()
	zw := zip.NewWriter(w)
	for _, name := range []string{"manifest.yml", "docs/README.md", "img/logo.svg"} {
		b, err := os.ReadFile(filepath.Join("testdata/zipsrc/gamma-1.2.0", name))
		if err != nil {
			t.Fatal(err)
		}
		entry, err := zw.Create("gamma-1.2.0/" + name)
		if err != nil {
			t.Fatal(err)
		}
		entry.Write(b)
	}
	return zw
}

// writeLyingZip writes the gamma package as a zip holding also
// img/lie.bin, a deflated entry of 100 bytes that declares 100 MiB.
func writeLyingZip(t *testing.T, dst string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gammaZipWriter(t, &buf)
	real := bytes.Repeat([]byte("x"), 100)
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	fw.Write(real)
	fw.Close()
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name:               "gamma-1.2.0/img/lie.bin",
		Method:             zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(real),
		CompressedSize64:   uint64(deflated.Len()),
		UncompressedSize64: 100 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated.Bytes())
	// And an entry nested deeper than the limit, as the 32,000-level
	// attack, only shorter (still over 1,024 bytes and 64 levels).
	w, err = zw.Create("gamma-1.2.0/" + deepName(600, "deep.txt"))
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("deep"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dst, buf.String())
}

// hostileFilesServer loads, through the real indexers, the directory
// package gamma 1.0.0 with a FIFO under docs/, a file nested 100 levels
// deep and a file named with backslashes, and the zip package gamma 1.2.0
// with a lying and a deep entry.
func hostileFilesServer(t *testing.T) *http.Client {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "gamma", "1.0.0")
	copyTree(t, "testdata/zipsrc/gamma-1.2.0", dir)
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.yml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "manifest.yml"), strings.Replace(string(manifest), "version: 1.2.0", "version: 1.0.0", 1))
	if err := syscall.Mkfifo(filepath.Join(dir, "docs", "fifo.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(dir, "img", filepath.FromSlash(deepName(100, "deep.txt")))
	if err := os.MkdirAll(filepath.Dir(deep), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, deep, "deep")
	writeFile(t, filepath.Join(dir, "docs", `..\..\x.md`), "windows bait")
	writeLyingZip(t, filepath.Join(root, "gamma-1.2.0.zip"))

	opts := indexer.FSOptions{Paths: []string{root}}
	idx := indexer.NewCombined(indexer.NewZipFileSystemIndexer(opts), indexer.NewFileSystemIndexer(opts))
	done := make(chan error, 1)
	go func() { done <- idx.Init(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(hangLimit):
		t.Fatal("loading the packages hung")
	}
	srv := startServer(t, defaultOptions(idx))
	// Runs before the server's Close, which waits for handlers a FIFO
	// would keep blocked.
	t.Cleanup(func() { unblockFIFOs(root) })
	return &http.Client{Timeout: hangLimit, Transport: &rewriteTransport{base: srv.URL}}
}

// rewriteTransport sends every request to the test server.
type rewriteTransport struct{ base string }

func (rt *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	u := rt.base + r.URL.EscapedPath()
	req, err := http.NewRequestWithContext(r.Context(), r.Method, u, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestHostilePackageFilesAreLeftOut(t *testing.T) {
	client := hostileFilesServer(t)
	get := func(t *testing.T, path string) (int, http.Header, []byte) {
		t.Helper()
		resp, err := client.Get("http://registry" + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Errorf("GET %s: body: %v (Content-Length %s)", path, err, resp.Header.Get("Content-Length"))
		}
		return resp.StatusCode, resp.Header, body
	}
	cases := []struct {
		name, path string
		status     int
	}{
		{"FIFO in a directory package", "/package/gamma/1.0.0/docs/fifo.md", 404},
		{"directory file deeper than the limit", "/package/gamma/1.0.0/img/" + deepName(100, "deep.txt"), 404},
		{"zip entry whose declared size lies", "/package/gamma/1.2.0/img/lie.bin", 404},
		{"zip entry deeper than the limit", "/package/gamma/1.2.0/" + deepName(600, "deep.txt"), 404},
		{"regular file of the directory package", "/package/gamma/1.0.0/docs/README.md", 200},
		{"regular file of the zip package", "/package/gamma/1.2.0/img/logo.svg", 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if status, _, _ := get(t, c.path); status != c.status {
				t.Errorf("GET %s: status %d, want %d", c.path, status, c.status)
			}
		})
	}
	t.Run("assets list only servable files", func(t *testing.T) {
		for _, doc := range []string{"/package/gamma/1.0.0/", "/package/gamma/1.2.0/"} {
			status, _, body := get(t, doc)
			if status != 200 {
				t.Fatalf("GET %s: %d", doc, status)
			}
			for _, bad := range []string{"fifo.md", "deep.txt", "lie.bin", `x.md`} {
				if bytes.Contains(body, []byte(bad)) {
					t.Errorf("%s lists %s", doc, bad)
				}
			}
		}
	})
	t.Run("generated zip uses the reading side's name rule", func(t *testing.T) {
		status, _, body := get(t, "/epr/gamma/gamma-1.0.0.zip")
		if status != 200 {
			t.Fatalf("status %d", status)
		}
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
			rel := strings.TrimSuffix(strings.TrimPrefix(f.Name, "gamma-1.0.0/"), "/")
			if strings.Contains(f.Name, `\`) || strings.Count(rel, "/")+1 > 64 || strings.Contains(f.Name, "fifo") {
				t.Errorf("generated zip holds %q", f.Name)
			}
		}
		if !strings.Contains(strings.Join(names, " "), "gamma-1.0.0/docs/README.md") {
			t.Errorf("generated zip lacks the readme: %v", names)
		}
	})
}

// A FIFO where a package's manifest.yml or a zip package should be must
// not hang the start-up: the FIFO is not package content, the load goes on
// (or fails with an error naming it), and never blocks.
func TestFIFOsDoNotHangTheLoad(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, root string)
	}{
		{"manifest.yml is a FIFO", func(t *testing.T, root string) {
			dir := filepath.Join(root, "gamma", "1.0.0")
			if err := os.MkdirAll(filepath.Join(dir, "docs"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "docs", "README.md"), "# fifo\n")
			if err := syscall.Mkfifo(filepath.Join(dir, "manifest.yml"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"a package zip is a FIFO", func(t *testing.T, root string) {
			if err := syscall.Mkfifo(filepath.Join(root, "gamma-1.2.0.zip"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		// Init is the start-up; Rescan is the watcher's reload of an
		// index loaded before the FIFO appeared.
		for _, reload := range []bool{false, true} {
			name := c.name
			if reload {
				name += ", on reload"
			}
			t.Run(name, func(t *testing.T) {
				root := t.TempDir()
				if !reload {
					c.setup(t, root)
				}
				opts := indexer.FSOptions{Paths: []string{root}}
				zips, dirs := indexer.NewZipFileSystemIndexer(opts), indexer.NewFileSystemIndexer(opts)
				load := func() error { return indexer.NewCombined(zips, dirs).Init(context.Background()) }
				if reload {
					if err := load(); err != nil {
						t.Fatal(err)
					}
					c.setup(t, root)
					load = func() error {
						if err := zips.Rescan(context.Background()); err != nil {
							return err
						}
						return dirs.Rescan(context.Background())
					}
				}
				done := make(chan error, 1)
				go func() { done <- load() }()
				select {
				case err := <-done:
					if err != nil && !strings.Contains(err.Error(), "not a regular file") {
						t.Errorf("load failed without naming the cause: %v", err)
					}
				case <-time.After(hangLimit):
					// Unblock the goroutine so the test binary can end.
					t.Error("the load hung on a FIFO")
					unblockFIFOs(root)
				}
			})
		}
	}
}

// unblockFIFOs opens every FIFO under root for writing, releasing readers
// stuck in open(2).
func unblockFIFOs(root string) {
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type()&os.ModeNamedPipe != 0 {
			if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
		}
		return nil
	})
}

// writeWideZip writes the gamma package as a zip with extra entries
// beside its files.
func writeWideZip(t *testing.T, dst string, extra int) {
	t.Helper()
	var buf bytes.Buffer
	zw := gammaZipWriter(t, &buf)
	for i := range extra {
		if _, err := zw.Create("gamma-1.2.0/data/" + strings.Repeat("x", 40) + fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dst, buf.String())
}

// The file index of a zip package is taken once, at load: serving one of
// its files allocates the same whether the archive has a handful of
// entries or thousands (it used to read the whole central directory for
// every request). Allocation counts, not times, so the test is exact.
func TestZipPackageFileCostDoesNotGrowWithEntries(t *testing.T) {
	allocs := func(extra int) float64 {
		root := t.TempDir()
		writeWideZip(t, filepath.Join(root, "gamma-1.2.0.zip"), extra)
		idx := indexer.NewZipFileSystemIndexer(indexer.FSOptions{Paths: []string{root}})
		if err := idx.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		h, err := NewRouter(defaultOptions(idx))
		if err != nil {
			t.Fatal(err)
		}
		serve := func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/package/gamma/1.2.0/img/logo.svg", nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
		}
		serve()
		return testing.AllocsPerRun(20, serve)
	}
	small, wide := allocs(0), allocs(5000)
	if wide > small+50 {
		t.Errorf("a request allocates %.0f times with 5,000 more entries in the zip, %.0f without: the index is rebuilt per request", wide, small)
	}
}
