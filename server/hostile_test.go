package server

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

// Hostile requests (docs/security.md): whatever the request, the answer is
// never a 5xx (other than upstream's own 500s, such as a missing signature,
// which these requests do not reach), never a file outside a package, and
// never much larger than the file asked for.

const hostileSecret = "HOSTILE-SECRET-OUTSIDE-THE-PACKAGES"

// bigSize is the size of the large files of the hostile fixture: big
// enough for Go's "ranges add up to more than the file" check to let
// thousands of small ranges through.
const bigSize = 1 << 20

// hostileServer serves the regular fixture plus: a secret file beside the
// packages, links out of alpha, a large file in alpha and in a zip package
// whose entries also try to climb out of it.
func hostileServer(t *testing.T) (*httptest.Server, *fixture) {
	t.Helper()
	f := newFixture(t)
	writeFile(t, filepath.Join(f.root, "secret.txt"), hostileSecret)
	writeFile(t, filepath.Join(f.root, "alpha", "secret.txt"), hostileSecret)
	writeFile(t, filepath.Join(f.zips, "secret.txt"), hostileSecret)
	pkgDir := filepath.Join(f.root, "alpha", "1.0.0")
	if err := os.Symlink("../../secret.txt", filepath.Join(pkgDir, "img", "out.svg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/", filepath.Join(pkgDir, "rootfs")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(pkgDir, "img", "big.bin"), bigContent())

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"evil-1.0.0/manifest.yml":   "name: evil\n",
		"evil-1.0.0/docs/README.md": "# evil\n",
		"evil-1.0.0/img/big.bin":    bigContent(),
		"evil-1.0.0/../secret.txt":  hostileSecret,
		"../secret.txt":             hostileSecret,
		"/secret.txt":               hostileSecret,
		`evil-1.0.0\..\secret.txt`:  hostileSecret,
		"evil-1.0.0/img/../../x":    hostileSecret,
		"other/secret.txt":          hostileSecret,
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: fixtureTime})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(f.zips, "evil-1.0.0.zip"), buf.String())
	writeFile(t, filepath.Join(f.zips, "evil-1.0.0.zip.sig"), "evil signature\n")
	f.pkgs = append(f.pkgs, f.zipPackage(t, "evil", "1.0.0", func(p *packages.Package) {
		p.SignaturePath = "/epr/evil/evil-1.0.0.zip.sig"
	}))
	return startServer(t, defaultOptions(listIndexer{f.pkgs})), f
}

// bigContent is not compressible to nothing, so that ranges read real data.
func bigContent() string {
	var b strings.Builder
	for i := 0; b.Len() < bigSize; i++ {
		fmt.Fprintf(&b, "line %07d\n", i)
	}
	return b.String()[:bigSize]
}

// requireSafe checks the answer of a hostile request; a 301 is followed
// once, since the client would follow it.
func requireSafe(t *testing.T, srv *httptest.Server, method, target string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	resp, body := do(t, srv, method, target, header)
	if resp.StatusCode >= 500 {
		t.Errorf("%s %.200s: status %d (%q)", method, target, resp.StatusCode, truncate(body))
	}
	if bytes.Contains(body, []byte(hostileSecret)) {
		t.Fatalf("%s %.200s: status %d served the secret", method, target, resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); resp.StatusCode == http.StatusMovedPermanently && strings.HasPrefix(loc, "/") {
		r2, b2 := do(t, srv, method, loc, header)
		if r2.StatusCode >= 500 || bytes.Contains(b2, []byte(hostileSecret)) {
			t.Fatalf("%s %.200s: redirect to %.200s answered %d and %d bytes", method, target, loc, r2.StatusCode, len(b2))
		}
	}
	return resp, body
}

func TestHostileTraversal(t *testing.T) {
	srv, _ := hostileServer(t)
	escapes := []string{
		"../secret.txt", "../../secret.txt", "../../../secret.txt",
		"%2e%2e/secret.txt", "%2E%2E/%2E%2E/secret.txt", ".%2e/secret.txt", "%2e./secret.txt",
		"..%2fsecret.txt", "..%2F..%2Fsecret.txt", "%2e%2e%2f%2e%2e%2fsecret.txt",
		`..\secret.txt`, `..\..\secret.txt`, "..%5csecret.txt", "..%5C..%5Csecret.txt", `img\..\..\secret.txt`,
		"..%00/secret.txt", "secret.txt%00", "%00../secret.txt", "img/big.bin%00.svg",
		"%252e%252e/secret.txt", "%252e%252e%252fsecret.txt",
		"%c0%ae%c0%ae/secret.txt", "%c0%af..%c0%afsecret.txt", "%ef%bc%8e%ef%bc%8e/secret.txt",
		"....//secret.txt", "..../secret.txt", ".../secret.txt", "./../secret.txt", "img/./../../secret.txt",
		"img/out.svg", "rootfs/etc/passwd", "rootfs" + filepath.ToSlash(os.TempDir()),
		"/secret.txt", "//secret.txt", "///../secret.txt",
	}
	var targets []string
	for _, pkg := range []string{"alpha/1.0.0", "gamma/1.2.0", "evil/1.0.0"} {
		for _, e := range escapes {
			targets = append(targets, "/package/"+pkg+"/"+e)
		}
	}
	targets = append(targets,
		"/package/alpha%2f1.0.0%2f..%2f..%2fsecret.txt/1.0.0/x",
		"/package/../secret.txt/1.0.0/x",
		"/package/alpha/1.0.0%2f..%2f..%2f/secret.txt",
		"/epr/../secret.txt",
		"/epr/alpha/..%2f..%2fsecret.txt",
		"/epr/alpha/alpha-1.0.0%2f..%2f..%2fsecret.txt.zip",
		"/epr/evil/evil-1.0.0.zip%2f..%2fsecret.txt",
		"/epr/evil/evil-1.0.0.zip.sig/../../secret.txt",
		"/../../../../etc/passwd",
		"/%2e%2e/%2e%2e/etc/passwd",
		`/..\..\etc\passwd`,
		"/search/../../secret.txt",
		"/favicon.ico/..%2f..%2fsecret.txt",
	)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		for _, target := range targets {
			requireSafe(t, srv, method, target, nil)
		}
	}

	// The entries of the hostile zip that stay inside it are served; the
	// ones that climb out are not part of it.
	resp, body := requireSafe(t, srv, "", "/package/evil/1.0.0/img/big.bin", nil)
	if resp.StatusCode != 200 || len(body) != bigSize {
		t.Errorf("big.bin of the zip: status %d, %d bytes", resp.StatusCode, len(body))
	}
	for _, name := range []string{"x", "secret.txt", "other/secret.txt", "../other/secret.txt"} {
		if resp, _ := requireSafe(t, srv, "", "/package/evil/1.0.0/"+name, nil); resp.StatusCode == 200 {
			t.Errorf("%s: 200", name)
		}
	}
}

func TestHostileLongRequests(t *testing.T) {
	srv, _ := hostileServer(t)
	long := strings.Repeat("a", 900<<10)
	cases := []struct {
		name, target string
		status       []int // any of these
	}{
		{"long static path", "/package/alpha/1.0.0/" + strings.Repeat("x/", 4000) + "x", []int{404}},
		{"very long static path", "/package/alpha/1.0.0/" + long, []int{404}},
		{"very long package name", "/package/" + long + "/1.0.0/", []int{404}},
		// semver refuses versions over 256 bytes: the invalid-version 400.
		{"very long version", "/package/alpha/1.0.0-" + long + "/", []int{400}},
		{"very long version of a file", "/package/alpha/1.0.0-" + long + "/x", []int{400}},
		{"very long artifact", "/epr/alpha/alpha-" + long + ".zip", []int{400}},
		{"very long unknown path", "/" + long, []int{404}},
		// Over net/http's 1 MiB header limit: refused before any handler.
		{"over the header limit", "/search?package=" + strings.Repeat("a", 1100<<10), []int{431}},
		{"long package query", "/search?package=" + long, []int{200}},
		{"long kibana version", "/search?kibana.version=" + strings.Repeat("9", 100000), []int{400}},
		{"long kibana prerelease", "/categories?kibana.version=1.0.0-" + long, []int{400}},
		{"long discovery", "/search?discovery=fields:" + strings.Repeat("a,", 200000), []int{200}},
		{"long capabilities", "/search?capabilities=" + strings.Repeat("x,", 200000), []int{200}},
		{"deep path", "/package/alpha/1.0.0/" + strings.Repeat("../", 100000) + "secret.txt", []int{301}},
		{"many slashes", strings.Repeat("/", 100000) + "search", []int{301}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, _ := requireSafe(t, srv, "", c.target, nil)
			if !containsInt(c.status, resp.StatusCode) {
				t.Errorf("status %d, want one of %v", resp.StatusCode, c.status)
			}
		})
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestHostileManyParameters(t *testing.T) {
	srv, _ := hostileServer(t)
	strict := defaultOptions(listIndexer{newFixture(t).pkgs})
	strict.AllowUnknownQueryParameters = false
	strictSrv := startServer(t, strict)

	params := func(n int, format string) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte('&')
			}
			fmt.Fprintf(&b, format, i)
		}
		return b.String()
	}
	cases := []struct {
		name   string
		srv    *httptest.Server
		target string
		status int
	}{
		{"5000 unknown, lenient", srv, "/search?" + params(5000, "p%d=1"), 200},
		{"5000 unknown, strict", strictSrv, "/search?" + params(5000, "p%d=1"), 400},
		{"5000 unknown categories, strict", strictSrv, "/categories?" + params(5000, "p%d=1"), 400},
		{"5000 repeated package", srv, "/search?" + params(5000, "package=alpha&x%d="), 200},
		{"5000 discovery filters", srv, "/search?" + params(5000, "discovery=fields:f%d"), 200},
		{"5000 bad discovery filters", srv, "/search?" + params(5000, "discovery=bad%d"), 400},
		{"5000 semicolon pairs", srv, "/search?" + params(5000, "a%d=1;b=2"), 200},
		// Over net/url's limit of 10000 parameters the whole query is
		// dropped (r.URL.Query() ignores the error): an unfiltered answer,
		// as upstream gives.
		{"20000 parameters", strictSrv, "/search?" + params(20000, "p%d=1"), 200},
		{"20000 on a file route", srv, "/package/alpha/1.0.0/manifest.yml?" + params(20000, "p%d=1"), 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, _ := requireSafe(t, c.srv, "", c.target, nil)
			if resp.StatusCode != c.status {
				t.Errorf("status %d, want %d", resp.StatusCode, c.status)
			}
		})
	}
}

func TestHostileRanges(t *testing.T) {
	srv, f := hostileServer(t)
	zipSize := len(readFixture(t, filepath.Join(f.zips, "evil-1.0.0.zip")))
	targets := map[string]int{
		"/package/alpha/1.0.0/img/big.bin": bigSize,
		"/package/evil/1.0.0/img/big.bin":  bigSize, // decompressed on the fly
		"/epr/evil/evil-1.0.0.zip":         zipSize,
		"/epr/evil/evil-1.0.0.zip.sig":     len("evil signature\n"),
	}
	many := func(n int, format string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(format, i, i)
		}
		return "bytes=" + strings.Join(parts, ",")
	}
	ranges := []struct {
		name, header string
		status       []int
	}{
		{"reversed", "bytes=9-1", []int{416}},
		{"reversed among others", "bytes=0-1,9-1", []int{416}},
		{"negative", "bytes=-5-10", []int{416}},
		{"garbage", "bytes=a-b", []int{416}},
		{"empty", "bytes=", []int{416, 200}},
		{"other unit", "items=0-1", []int{416}},
		{"huge numbers", "bytes=99999999999999999999-", []int{416}},
		{"max int64", "bytes=9223372036854775807-9223372036854775807", []int{416}},
		{"beyond the end", "bytes=100000000-", []int{416}},
		{"suffix zero", "bytes=-0", []int{206, 416}},
		{"one range", "bytes=1-10", []int{206}},
		{"two ascending ranges", "bytes=0-9,100-109", []int{206}},
		{"overlapping", "bytes=0-99,50-149", []int{200}},
		{"same range twice", "bytes=0-9,0-9", []int{200}},
		{"descending", "bytes=100-109,0-9", []int{200}},
		{"suffix among others", "bytes=0-9,-10", []int{200}},
		{"open range then more", "bytes=10-,0-9", []int{200}},
		{"20 ascending ranges", many(20, "%d0-%d1"), []int{200}},
		{"20000 tiny ranges", many(20000, "%[1]d-%[2]d"), []int{200}},
		{"60000 overlapping ranges", strings.Repeat("0-0,", 60000) + "0-0", []int{200}},
	}
	for target, size := range targets {
		for _, r := range ranges {
			t.Run(target+" "+r.name, func(t *testing.T) {
				header := r.header
				if !strings.HasPrefix(header, "bytes=") && !strings.HasPrefix(header, "items=") {
					header = "bytes=" + header
				}
				resp, body := requireSafe(t, srv, "", target, map[string]string{"Range": header})
				status := r.status
				if size < 200 && r.name != "one range" {
					// The signature is too small for most of them: Go
					// answers 200 (ranges larger than the file) or 416.
					status = []int{200, 206, 416}
				}
				if !containsInt(status, resp.StatusCode) {
					t.Errorf("status %d, want one of %v", resp.StatusCode, status)
				}
				// At most the file and the part headers of maxRanges parts.
				if limit := size + maxRanges*256; len(body) > limit {
					t.Errorf("%d bytes for a %d-byte file", len(body), size)
				}
				if resp.StatusCode == 200 && len(body) != size {
					t.Errorf("200 with %d bytes, want the whole %d", len(body), size)
				}
			})
		}
	}
}

func TestLimitRanges(t *testing.T) {
	cases := map[string]bool{ // header -> kept
		"":                                true,
		"bytes=0-1":                       true,
		"bytes=5-1":                       true, // malformed: ServeContent answers 416
		"bytes=0-1,2-3":                   true,
		"bytes=0-1, 2-3 ,":                true,
		"bytes=0-1,1-3":                   false,
		"bytes=2-3,0-1":                   false,
		"bytes=0-,5-6":                    false,
		"bytes=0-1,-5":                    false,
		"bytes=0-1,x":                     true,
		"bytes=0-1,3-2":                   true,
		"bytes=0-1,+2-3":                  true,
		"bytes=0-9223372036854775807,1-2": false,
		many(maxRanges):                   true,
		many(maxRanges + 1):               false,
	}
	for header, kept := range cases {
		r := httptest.NewRequest(http.MethodGet, "/x", nil)
		if header != "" {
			r.Header.Set("Range", header)
		}
		got := limitRanges(r)
		if (got.Header.Get("Range") == header) != kept {
			t.Errorf("%q: Range after = %q, kept want %v", header, got.Header.Get("Range"), kept)
		}
		if r.Header.Get("Range") != header {
			t.Errorf("%q: the original request was changed", header)
		}
	}
}

func many(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strconv.Itoa(i*10) + "-" + strconv.Itoa(i*10+1)
	}
	return "bytes=" + strings.Join(parts, ",")
}

func TestHostileMethods(t *testing.T) {
	srv, _ := hostileServer(t)
	targets := []string{
		"/", "/index.json", "/search?package=alpha", "/categories", "/health", "/favicon.ico",
		"/package/alpha/1.0.0/", "/package/alpha/1.0.0/manifest.yml", "/package/evil/1.0.0/img/big.bin",
		"/epr/alpha/alpha-1.0.0.zip", "/epr/evil/evil-1.0.0.zip", "/epr/alpha/alpha-1.0.0.zip.sig",
		"/package/alpha/1.0.0/../../secret.txt", "/nope",
	}
	methods := []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO", "get"}
	for _, target := range targets {
		want, _ := do(t, srv, http.MethodGet, target, nil)
		for _, m := range methods {
			resp, _ := requireSafe(t, srv, m, target, nil)
			// No route restricts methods: same status as GET.
			if resp.StatusCode != want.StatusCode {
				t.Errorf("%s %s: status %d, GET gives %d", m, target, resp.StatusCode, want.StatusCode)
			}
		}
	}
	// A body sent with the request is never read, whatever its size.
	for _, target := range []string{"/search", "/package/alpha/1.0.0/manifest.yml"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+target, strings.NewReader(strings.Repeat("x", 8<<20)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST with a body: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("POST %s with a body: %d", target, resp.StatusCode)
		}
	}
}

// TestHostileNamesInGeneratedArtifact: a directory package holding names
// that are not UTF-8 (which io/fs cannot name) still downloads, without
// them, like the assets list leaves them out.
func TestHostileNamesInGeneratedArtifact(t *testing.T) {
	f := newFixture(t)
	pkgDir := filepath.Join(f.root, "alpha", "1.0.0")
	writeFile(t, filepath.Join(pkgDir, "img", "caf\xe9.svg"), "latin-1 name")
	if err := os.MkdirAll(filepath.Join(pkgDir, "\xff\xfe"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(pkgDir, "\xff\xfe", "x.txt"), "inside a latin-1 folder")
	srv := startServer(t, defaultOptions(listIndexer{f.pkgs}))
	resp, body := do(t, srv, "", "/epr/alpha/alpha-1.0.0.zip", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("artifact is not a complete zip: %v", err)
	}
	for _, zf := range zr.File {
		if strings.Contains(zf.Name, "\xff") || strings.Contains(zf.Name, "caf") {
			t.Errorf("archived %q", zf.Name)
		}
	}
	if len(zr.File) < 10 {
		t.Errorf("only %d entries", len(zr.File))
	}
}
