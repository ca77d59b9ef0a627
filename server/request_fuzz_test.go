package server

import (
	"bufio"
	"bytes"
	"context"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/loader"
)

// fuzzRouter serves copies of the test packages, loaded by the real
// indexers (directories and zips), each with a signature so that none of
// upstream's deliberate 500 answers (a missing signature) can happen, next
// to a secret file and with links leading out of a package.
func fuzzRouter(f *testing.F) http.Handler {
	f.Helper()
	tmp := f.TempDir()
	dirs, zips := filepath.Join(tmp, "packages"), filepath.Join(tmp, "zips")
	if err := os.CopyFS(dirs, os.DirFS("testdata/packages")); err != nil {
		f.Fatal(err)
	}
	must := func(err error) {
		f.Helper()
		if err != nil {
			f.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dirs, "delta", "1.0.0+build1.sig"), []byte("sig"), 0o644))
	must(os.MkdirAll(filepath.Join(dirs, "delta", "1.0.0+build1", "docs"), 0o755))
	must(os.WriteFile(filepath.Join(dirs, "delta", "1.0.0+build1", "docs", "README.md"), []byte("# delta"), 0o644))
	must(os.WriteFile(filepath.Join(dirs, "alpha", "2.0.0-beta1.sig"), []byte("sig"), 0o644))
	must(os.WriteFile(filepath.Join(tmp, "secret.txt"), []byte(hostileSecret), 0o644))
	must(os.WriteFile(filepath.Join(dirs, "secret.txt"), []byte(hostileSecret), 0o644))
	must(os.Symlink("../../../secret.txt", filepath.Join(dirs, "alpha", "1.0.0", "out.txt")))
	must(os.Symlink("/", filepath.Join(dirs, "alpha", "1.0.0", "img", "rootfs")))
	must(os.MkdirAll(zips, 0o755))
	var buf bytes.Buffer
	gamma, err := loader.IndexFiles("testdata/zipsrc/gamma-1.2.0", false)
	must(err)
	must(writePackageZip(&buf, gamma, "gamma-1.2.0"))
	must(os.WriteFile(filepath.Join(zips, "gamma-1.2.0.zip"), buf.Bytes(), 0o644))
	must(os.WriteFile(filepath.Join(zips, "gamma-1.2.0.zip.sig"), []byte("sig"), 0o644))

	idx := indexer.NewCombined(
		indexer.NewZipFileSystemIndexer(indexer.FSOptions{Paths: []string{zips}, DisableValidation: true}),
		indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{dirs}, DisableValidation: true}),
	)
	must(idx.Init(context.Background()))
	pkgs, err := idx.Get(context.Background(), nil)
	must(err)
	if len(pkgs) != 4 {
		f.Fatalf("fixture has %d packages", len(pkgs))
	}
	h, err := NewRouter(defaultOptions(idx))
	must(err)
	return h
}

// FuzzRequest sends any request line and Range header to the router: the
// answer is never a 5xx, never a file outside a package, and never a
// multipart answer of more than maxRanges parts.
func FuzzRequest(f *testing.F) {
	for _, s := range []struct{ method, target, rng string }{
		{"GET", "/search?package=alpha&all=true", ""},
		{"GET", "/categories?include_policy_templates=true&kibana.version=8.0.0", ""},
		{"GET", "/package/alpha/1.0.0/", ""},
		{"GET", "/package/alpha/1.0.0/manifest.yml", "bytes=0-9"},
		{"GET", "/package/gamma/1.2.0/img/logo.svg", "bytes=0-1,5-9"},
		{"HEAD", "/epr/gamma/gamma-1.2.0.zip", "bytes=-10"},
		{"GET", "/epr/alpha/alpha-1.0.0.zip", ""},
		{"GET", "/epr/delta/delta-1.0.0+build1.zip.sig", "bytes=0-0,0-0"},
		{"POST", "/package/alpha/1.0.0/out.txt", ""},
		{"GET", "/package/alpha/1.0.0/img/rootfs/etc/passwd", ""},
		{"GET", "/package/alpha/1.0.0/%2e%2e/%2e%2e/secret.txt", ""},
		{"GET", `/package/alpha/1.0.0/..\..\secret.txt`, ""},
		{"GET", "/package/gamma/1.2.0/..%2f..%2fsecret.txt", ""},
		{"OPTIONS", "*", ""},
		{"GET", "http://host/search?x=%zz;y", "items=1-2"},
	} {
		f.Add(s.method, s.target, s.rng)
	}
	h := fuzzRouter(f)
	f.Fuzz(func(t *testing.T, method, target, rng string) {
		raw := method + " " + target + " HTTP/1.1\r\nHost: registry\r\n"
		if rng != "" {
			raw += "Range: " + rng + "\r\n"
		}
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw + "\r\n")))
		if err != nil {
			return // net/http answers 400 before any handler
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.Bytes()
		if rec.Code >= 500 {
			t.Fatalf("%q %q Range %q: status %d: %q", method, target, rng, rec.Code, body)
		}
		if bytes.Contains(body, []byte(hostileSecret)) {
			t.Fatalf("%q %q: served the secret", method, target)
		}
		if mt, params, _ := mime.ParseMediaType(rec.Header().Get("Content-Type")); mt == "multipart/byteranges" {
			if parts := bytes.Count(body, []byte("--"+params["boundary"]+"\r\n")); parts > maxRanges {
				t.Fatalf("Range %q: %d parts", rng, parts)
			}
		}
	})
}
