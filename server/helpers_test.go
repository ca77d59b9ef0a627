package server

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// fixtureTime is the modification time of every fixture file, so that
// Last-Modified and zip entry times are predictable.
var fixtureTime = time.Date(2024, time.May, 1, 12, 0, 0, 0, time.UTC)

const fixtureLastModified = "Wed, 01 May 2024 12:00:00 GMT"

// fixture is a package set on disk: directory packages copied from
// testdata/packages and zip packages built from testdata/zipsrc.
type fixture struct {
	root string // directory packages: <root>/<name>/<version>
	zips string // zip packages: <zips>/<name>-<version>.zip
	pkgs packages.Packages
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	tmp := t.TempDir()
	f := &fixture{root: filepath.Join(tmp, "packages"), zips: filepath.Join(tmp, "zips")}
	copyTree(t, "testdata/packages", f.root)
	if err := os.MkdirAll(f.zips, 0o755); err != nil {
		t.Fatal(err)
	}
	buildZip(t, "testdata/zipsrc/gamma-1.2.0", filepath.Join(f.zips, "gamma-1.2.0.zip"), "gamma-1.2.0")
	writeFile(t, filepath.Join(f.zips, "gamma-1.2.0.zip.sig"), "gamma signature\n")

	f.pkgs = packages.Packages{
		f.dirPackage(t, "alpha", "1.0.0", func(p *packages.Package) {
			p.Categories = []string{"web"}
			p.Conditions = &packages.Conditions{Kibana: &packages.KibanaConditions{Version: "^8.0.0"}}
			p.Owner = &packages.Owner{Github: "elastic/epr-clone"}
			p.SignaturePath = "/epr/alpha/alpha-1.0.0.zip.sig"
			p.Readme = "/package/alpha/1.0.0/docs/README.md"
			p.License = "basic"
			p.Assets = []string{"/package/alpha/1.0.0/manifest.yml", "/package/alpha/1.0.0/docs/README.md"}
		}),
		f.dirPackage(t, "alpha", "2.0.0-beta1", func(p *packages.Package) {
			p.Release = "beta"
			p.Categories = []string{"web", "security"}
		}),
		f.dirPackage(t, "delta", "1.0.0+build1", func(p *packages.Package) {
			p.Type = "input"
		}),
		f.zipPackage(t, "gamma", "1.2.0", func(p *packages.Package) {
			p.Categories = []string{"aws"}
			p.SignaturePath = "/epr/gamma/gamma-1.2.0.zip.sig"
		}),
	}
	return f
}

func (f *fixture) dirPackage(t *testing.T, name, version string, edit func(*packages.Package)) *packages.Package {
	return newPackage(t, name, version, filepath.Join(f.root, name, version), false, edit)
}

func (f *fixture) zipPackage(t *testing.T, name, version string, edit func(*packages.Package)) *packages.Package {
	return newPackage(t, name, version, filepath.Join(f.zips, name+"-"+version+".zip"), true, edit)
}

// newPackage builds the document a loader would produce for the fixture
// packages; the server only needs it to be a valid, initialised package.
func newPackage(t *testing.T, name, version, basePath string, isZip bool, edit func(*packages.Package)) *packages.Package {
	t.Helper()
	title := strings.ToUpper(name[:1]) + name[1:]
	p := &packages.Package{
		Name:          name,
		Title:         &title,
		Version:       version,
		Release:       "ga",
		Description:   title + " test package",
		Type:          "integration",
		Download:      "/epr/" + name + "/" + name + "-" + version + ".zip",
		Path:          "/package/" + name + "/" + version,
		FormatVersion: "3.0.0",
	}
	edit(p)
	if err := p.InitRuntime(); err != nil {
		t.Fatal(err)
	}
	p.BasePath = basePath
	p.IsZip = isZip
	return p
}

// copyTree copies a directory and gives every copy the fixture time.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			dirs = append(dirs, target)
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, b, 0o644); err != nil {
			return err
		}
		return os.Chtimes(target, fixtureTime, fixtureTime)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if err := os.Chtimes(d, fixtureTime, fixtureTime); err != nil {
			t.Fatal(err)
		}
	}
}

// buildZip zips the directory src with every entry under prefix/, the
// layout of a zip package, and gives the zip file the fixture time.
func buildZip(t *testing.T, src, dst, prefix string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		name := prefix + "/"
		if rel != "." {
			name += filepath.ToSlash(rel)
		}
		hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: fixtureTime}
		if d.IsDir() {
			if rel != "." {
				hdr.Name += "/"
			}
			_, err := zw.CreateHeader(hdr)
			return err
		}
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dst, buf.String())
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, fixtureTime, fixtureTime); err != nil {
		t.Fatal(err)
	}
}

// listIndexer serves a fixed list through the real filter pipeline.
type listIndexer struct{ pkgs packages.Packages }

func (l listIndexer) Init(context.Context) error  { return nil }
func (l listIndexer) Close(context.Context) error { return nil }

func (l listIndexer) Get(ctx context.Context, opts *indexer.GetOptions) (packages.Packages, error) {
	if opts == nil || opts.Filter == nil {
		return append(packages.Packages(nil), l.pkgs...), nil
	}
	return opts.Filter.Apply(ctx, l.pkgs)
}

// brokenIndexer fails every Get.
type brokenIndexer struct{ err error }

func (b brokenIndexer) Init(context.Context) error  { return nil }
func (b brokenIndexer) Close(context.Context) error { return nil }
func (b brokenIndexer) Get(context.Context, *indexer.GetOptions) (packages.Packages, error) {
	return nil, b.err
}

var errBroken = errors.New("index unavailable")

// defaultOptions are upstream's default cache times, and the version the
// application passes in.
func defaultOptions(idx indexer.Indexer) Options {
	return Options{
		Indexer:                     idx,
		Logger:                      zap.NewNop(),
		ServiceVersion:              "1.40.1",
		CacheTimeIndex:              10 * time.Second,
		CacheTimeSearch:             10 * time.Minute,
		CacheTimeCategories:         10 * time.Minute,
		CacheTimeCatchAll:           10 * time.Minute,
		AllowUnknownQueryParameters: true,
	}
}

func startServer(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	h, err := NewRouter(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// httpCase is one request and what its answer must be.
type httpCase struct {
	name   string
	method string // GET when empty
	target string
	header map[string]string

	status int
	// headers must have exactly these values, in order; a nil value means
	// the header must be absent.
	headers map[string][]string
	// body is compared exactly unless anyBody is set or golden names a
	// file of testdata/golden.
	body    string
	anyBody bool
	golden  string

	// Checks that hold whatever body or golden says: the body starts with
	// prefix; the JSON body has fields, and keys in this order in its
	// top-level object (the first element's for a list). Golden files are
	// rewritten by -update; these are written by hand.
	prefix string
	fields []jsonField
	keys   []string
}

var (
	corsHeader   = []string{"*"}
	noStoreCache = []string{"max-age=0", "private, no-store"}
	absent       []string
)

func public(seconds string) []string { return []string{"max-age=" + seconds, "public"} }

// plainError is the header set of an http.Error answer.
func plainError(cache []string, cors bool) map[string][]string {
	h := map[string][]string{
		"Content-Type":           {"text/plain; charset=utf-8"},
		"X-Content-Type-Options": {"nosniff"},
		"Cache-Control":          cache,
		"Access-Control-Allow-Origin": func() []string {
			if cors {
				return corsHeader
			}
			return absent
		}(),
	}
	return h
}

// do sends the request exactly as written (origin form, nothing cleaned
// or re-encoded: //search or %2e%2e reach the server unchanged) and reads
// the answer as sent.
func do(t *testing.T, srv *httptest.Server, method, target string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	if method == "" {
		method = http.MethodGet
	}
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var req strings.Builder
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, target, srv.Listener.Addr())
	for k, v := range header {
		fmt.Fprintf(&req, "%s: %s\r\n", k, v)
	}
	req.WriteString("\r\n")
	if _, err := io.WriteString(conn, req.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func runCases(t *testing.T, srv *httptest.Server, cases []httpCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := do(t, srv, c.method, c.target, c.header)
			checkResponse(t, c, resp, body)
		})
	}
}

func checkResponse(t *testing.T, c httpCase, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode != c.status {
		t.Errorf("status = %d, want %d (body %q)", resp.StatusCode, c.status, truncate(body))
	}
	for k, want := range c.headers {
		got, present := resp.Header[http.CanonicalHeaderKey(k)]
		switch {
		case want == nil && present:
			t.Errorf("header %s = %q, want it absent", k, got)
		case want != nil && !equalStrings(got, want):
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	switch {
	case c.golden != "":
		checkGolden(t, c.golden, body)
	case !c.anyBody && string(body) != c.body:
		t.Errorf("body = %q, want %q", truncate(body), c.body)
	}
	if !strings.HasPrefix(string(body), c.prefix) {
		t.Errorf("body starts %q, want %q", truncate(body[:min(len(body), len(c.prefix))]), c.prefix)
	}
	checkJSON(t, c, body)
}

// checkJSON checks the fields and keys of a case.
func checkJSON(t *testing.T, c httpCase, body []byte) {
	t.Helper()
	if len(c.fields) == 0 && c.keys == nil {
		return
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	for _, f := range c.fields {
		if got := jsonAt(doc, f.path); !reflect.DeepEqual(got, f.want) {
			t.Errorf("%s = %#v, want %#v", f.path, got, f.want)
		}
	}
	if c.keys != nil {
		if got := firstObjectKeys(t, body); !equalStrings(got, c.keys) {
			t.Errorf("keys %q, want %q", got, c.keys)
		}
	}
}

func checkGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(body, want) {
		t.Errorf("body differs from %s:\n got: %s\nwant: %s", path, body, want)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// jsonField is a value expected at a path of a JSON answer: keys and array
// indexes separated by "/", a trailing "#" for the length of an array.
type jsonField struct {
	path string
	want any // string, float64 (JSON numbers) or int (lengths)
}

// jsonAt is the value at path in a decoded JSON document (see jsonField),
// nil when there is none.
func jsonAt(v any, path string) any {
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "#" {
			list, ok := v.([]any)
			if !ok {
				return nil
			}
			return len(list)
		}
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// firstObjectKeys lists the keys of the document's top-level object, or of
// the first element of a top-level list, in the order they were sent.
func firstObjectKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok == json.Delim('[') {
		if tok, err = dec.Token(); err != nil {
			t.Fatal(err)
		}
	}
	if tok != json.Delim('{') {
		t.Fatalf("no object: %v", tok)
	}
	var keys []string
	for dec.More() {
		// A key, then its value, skipped whole.
		key, err := dec.Token()
		var value json.RawMessage
		if err == nil {
			err = dec.Decode(&value)
		}
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key.(string))
	}
	return keys
}
