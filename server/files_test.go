package server

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fileHeaders are the headers of a file served with ServeContent.
func fileHeaders(ctype string, size int) map[string][]string {
	return map[string][]string{
		"Content-Type":                {ctype},
		"Content-Length":              {strconv.Itoa(size)},
		"Last-Modified":               {fixtureLastModified},
		"Accept-Ranges":               {"bytes"},
		"Cache-Control":               public("600"),
		"Access-Control-Allow-Origin": corsHeader,
	}
}

func readFixture(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	afterFixture  = "Thu, 02 May 2024 00:00:00 GMT"
	beforeFixture = "Tue, 30 Apr 2024 00:00:00 GMT"
)

func TestStaticFiles(t *testing.T) {
	f := newFixture(t)
	srv := startServer(t, defaultOptions(listIndexer{f.pkgs}))
	alpha := func(name string) string { return readFixture(t, filepath.Join(f.root, "alpha", "1.0.0", name)) }
	gamma := func(name string) string {
		return readFixture(t, filepath.Join("testdata", "zipsrc", "gamma-1.2.0", name))
	}

	manifest := alpha("manifest.yml")
	var cases []httpCase
	for _, c := range []struct {
		file, ctype string
	}{
		{"manifest.yml", "text/yaml; charset=UTF-8"},
		{"docs/README.md", "text/markdown; charset=utf-8"},
		{"img/logo.svg", "image/svg+xml"},
		{"kibana/dashboard/alpha-overview.json", "application/json"},
		{"agent/stream/stream.yml.hbs", "text/plain; charset=utf-8"},
		{"NOTICE", "text/plain; charset=utf-8"},
		{"LICENSE.txt", "text/plain; charset=utf-8"},
		{"data/fields.yaml", "application/x-yaml"},
	} {
		body := alpha(c.file)
		cases = append(cases, httpCase{name: "dir " + c.file, target: "/package/alpha/1.0.0/" + c.file,
			status: 200, headers: fileHeaders(c.ctype, len(body)), body: body})
	}
	for _, c := range []struct {
		file, ctype string
	}{
		{"manifest.yml", "text/yaml; charset=UTF-8"},
		{"docs/README.md", "text/markdown; charset=utf-8"},
		{"img/logo.svg", "image/svg+xml"},
	} {
		body := gamma(c.file)
		cases = append(cases, httpCase{name: "zip " + c.file, target: "/package/gamma/1.2.0/" + c.file,
			status: 200, headers: fileHeaders(c.ctype, len(body)), body: body})
	}

	size := strconv.Itoa(len(manifest))
	resourceNotFound := plainError(public("600"), true)
	cases = append(cases, []httpCase{
		{name: "HEAD", method: http.MethodHead, target: "/package/alpha/1.0.0/manifest.yml",
			status: 200, headers: fileHeaders("text/yaml; charset=UTF-8", len(manifest))},
		{name: "any name segment", target: "/package/alpha/1.0.0/docs/README.md?x=y", status: 200, anyBody: true},
		{name: "range", target: "/package/alpha/1.0.0/manifest.yml", header: map[string]string{"Range": "bytes=0-9"},
			status: 206, body: manifest[:10], headers: map[string][]string{
				"Content-Range":  {"bytes 0-9/" + size},
				"Content-Length": {"10"},
				"Content-Type":   {"text/yaml; charset=UTF-8"},
				"Cache-Control":  public("600"),
				"Last-Modified":  {fixtureLastModified},
			}},
		{name: "range in zip", target: "/package/gamma/1.2.0/docs/README.md", header: map[string]string{"Range": "bytes=2-6"},
			status: 206, body: gamma("docs/README.md")[2:7], headers: map[string][]string{
				"Content-Range": {"bytes 2-6/" + strconv.Itoa(len(gamma("docs/README.md")))},
			}},
		{name: "unsatisfiable range", target: "/package/alpha/1.0.0/manifest.yml", header: map[string]string{"Range": "bytes=99999-"},
			status: 416, body: "invalid range: failed to overlap\n", headers: map[string][]string{
				"Content-Range":               {"bytes */" + size},
				"Content-Type":                {"text/plain; charset=utf-8"},
				"Cache-Control":               absent,
				"Last-Modified":               absent,
				"Access-Control-Allow-Origin": corsHeader,
			}},
		{name: "not modified", target: "/package/alpha/1.0.0/manifest.yml", header: map[string]string{"If-Modified-Since": fixtureLastModified},
			status: 304, headers: map[string][]string{
				"Last-Modified":               {fixtureLastModified},
				"Cache-Control":               public("600"),
				"Access-Control-Allow-Origin": corsHeader,
				"Content-Type":                absent,
				"Content-Length":              absent,
			}},
		{name: "not modified in zip", target: "/package/gamma/1.2.0/manifest.yml", header: map[string]string{"If-Modified-Since": afterFixture},
			status: 304, headers: map[string][]string{"Last-Modified": {fixtureLastModified}}},
		{name: "modified since", target: "/package/alpha/1.0.0/manifest.yml", header: map[string]string{"If-Modified-Since": beforeFixture},
			status: 200, body: manifest},
		{name: "unmodified since fails", target: "/package/alpha/1.0.0/manifest.yml", header: map[string]string{"If-Unmodified-Since": beforeFixture},
			status: 412, anyBody: true},

		{name: "missing file", target: "/package/alpha/1.0.0/nope.txt", status: 404, headers: resourceNotFound, body: "resource not found\n"},
		{name: "missing file in zip", target: "/package/gamma/1.2.0/nope.txt", status: 404, headers: resourceNotFound, body: "resource not found\n"},
		{name: "directory", target: "/package/alpha/1.0.0/docs", status: 404, headers: resourceNotFound, body: "resource not found\n"},
		{name: "directory in zip", target: "/package/gamma/1.2.0/docs", status: 404, headers: resourceNotFound, body: "resource not found\n"},
		{name: "below a file", target: "/package/alpha/1.0.0/manifest.yml/x", status: 404, headers: resourceNotFound, body: "resource not found\n"},
		{name: "invalid version", target: "/package/alpha/1.0/manifest.yml", status: 400, headers: plainError(noStoreCache, true), body: "invalid package version\n"},
		{name: "unknown package", target: "/package/Alpha/1.0.0/manifest.yml", status: 404, headers: plainError(noStoreCache, true), body: "package revision not found\n"},
		{name: "unknown version", target: "/package/alpha/3.0.0/manifest.yml", status: 404, headers: plainError(noStoreCache, true), body: "package revision not found\n"},
	}...)
	runCases(t, srv, cases)

	// Several ranges answer one multipart part per range, with the file's
	// type, for a file on disk and for a (deflated) entry of a zip package
	// alike.
	for _, c := range []struct{ name, target, content string }{
		{"directory package", "/package/alpha/1.0.0/manifest.yml", manifest},
		{"zip package", "/package/gamma/1.2.0/manifest.yml", gamma("manifest.yml")},
	} {
		t.Run("multiple ranges "+c.name, func(t *testing.T) {
			resp, body := do(t, srv, "", c.target, map[string]string{"Range": "bytes=0-1,4-5,10-"})
			checkMultipart(t, resp, body, "text/yaml; charset=UTF-8", c.content, [][2]int{{0, 1}, {4, 5}, {10, len(c.content) - 1}})
		})
	}
}

// checkMultipart checks a 206 multipart/byteranges answer: one part per
// range in order, each with its Content-Range, the file's type and the
// bytes of content it names.
func checkMultipart(t *testing.T, resp *http.Response, body []byte, ctype, content string, ranges [][2]int) {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != http.StatusPartialContent || err != nil || mediaType != "multipart/byteranges" {
		t.Fatalf("status %d, type %q (%v)", resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
		t.Errorf("Content-Length %q for %d bytes", cl, len(body))
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for i, rg := range ranges {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		wantRange := fmt.Sprintf("bytes %d-%d/%d", rg[0], rg[1], len(content))
		if got := part.Header.Get("Content-Range"); got != wantRange {
			t.Errorf("part %d: Content-Range %q, want %q", i, got, wantRange)
		}
		if got := part.Header.Get("Content-Type"); got != ctype {
			t.Errorf("part %d: Content-Type %q, want %q", i, got, ctype)
		}
		got, err := io.ReadAll(part)
		if err != nil || string(got) != content[rg[0]:rg[1]+1] {
			t.Errorf("part %d: %q (%v), want %q", i, got, err, content[rg[0]:rg[1]+1])
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("after %d parts: %v, want the end", len(ranges), err)
	}
}

// TestConditionalAnswers pins every header of 304 and 412 answers on each
// local file route: 304 keeps Last-Modified, both Cache-Control fields
// and CORS and loses Content-Type and Content-Length (net/http's rule);
// 412 is ServeContent's answer before it picks a type, so it carries none
// either, only an empty body.
func TestConditionalAnswers(t *testing.T) {
	f := newFixture(t)
	srv := startServer(t, defaultOptions(listIndexer{f.pkgs}))
	notModified := map[string][]string{
		"Last-Modified":               {fixtureLastModified},
		"Cache-Control":               public("600"),
		"Access-Control-Allow-Origin": corsHeader,
		"Content-Type":                absent,
		"Content-Length":              absent,
		"Accept-Ranges":               absent,
		"Content-Range":               absent,
	}
	failed := map[string][]string{
		"Last-Modified":               {fixtureLastModified},
		"Cache-Control":               public("600"),
		"Access-Control-Allow-Origin": corsHeader,
		"Content-Type":                absent,
		"Content-Length":              {"0"},
		"Accept-Ranges":               absent,
		"Content-Range":               absent,
	}
	failedHead := maps.Clone(failed)
	failedHead["Content-Length"] = absent
	var cases []httpCase
	for _, target := range []string{
		"/package/alpha/1.0.0/manifest.yml", // file of a directory package
		"/package/alpha/1.0.0/NOTICE",       // type sniffed from the content
		"/package/gamma/1.2.0/docs/README.md",
		"/epr/gamma/gamma-1.2.0.zip",
		"/epr/alpha/alpha-1.0.0.zip.sig",
	} {
		for _, m := range []string{http.MethodGet, http.MethodHead} {
			cases = append(cases,
				httpCase{name: m + " if-modified-since " + target, method: m, target: target,
					header: map[string]string{"If-Modified-Since": afterFixture}, status: 304, headers: notModified},
				httpCase{name: m + " if-none-match " + target, method: m, target: target,
					header: map[string]string{"If-None-Match": "*"}, status: 304, headers: notModified},
				httpCase{name: m + " if-unmodified-since " + target, method: m, target: target,
					header: map[string]string{"If-Unmodified-Since": beforeFixture}, status: 412,
					headers: map[bool]map[string][]string{true: failedHead, false: failed}[m == http.MethodHead]},
				httpCase{name: m + " if-match " + target, method: m, target: target,
					header: map[string]string{"If-Match": `"no-etag"`, "Range": "bytes=0-1"}, status: 412,
					headers: map[bool]map[string][]string{true: failedHead, false: failed}[m == http.MethodHead]},
			)
		}
	}
	runCases(t, srv, cases)
}

// TestStaticTraversal makes sure that no request under /package/{n}/{v}/
// reads a file outside that package.
func TestStaticTraversal(t *testing.T) {
	f := newFixture(t)
	pkgDir := filepath.Join(f.root, "alpha", "1.0.0")
	secret := filepath.Join(f.root, "secret.txt")
	writeFile(t, secret, "top secret\n")
	writeFile(t, filepath.Join(f.root, "alpha", "secret.txt"), "top secret\n")
	if err := os.Symlink(secret, filepath.Join(pkgDir, "absolute-link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../secret.txt", filepath.Join(pkgDir, "relative-link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(f.root, filepath.Join(pkgDir, "dir-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("manifest.yml", filepath.Join(pkgDir, "inner-link.yml")); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, defaultOptions(listIndexer{f.pkgs}))

	for _, target := range []string{
		"/package/alpha/1.0.0/absolute-link.txt",
		"/package/alpha/1.0.0/relative-link.txt",
		"/package/alpha/1.0.0/dir-link/secret.txt",
		`/package/alpha/1.0.0/..\secret.txt`,
		`/package/alpha/1.0.0/..%5csecret.txt`,
		`/package/alpha/1.0.0/..%5c..%5csecret.txt`,
		"/package/alpha/1.0.0/secret.txt%00",
		"/package/alpha/1.0.0/%00/../secret.txt",
		"/package/alpha/1.0.0/..%2fsecret.txt",
		"/package/alpha/1.0.0/%2e%2e/secret.txt",
		"/package/alpha/1.0.0/%2e%2e%2f%2e%2e%2fsecret.txt",
		"/package/alpha/1.0.0/../secret.txt",
		"/package/alpha/1.0.0//" + strings.TrimPrefix(secret, "/"),
		"/package/gamma/1.2.0/..%2f..%2fsecret.txt",
		"/package/alpha%2f1.0.0%2f..%2f..%2fsecret.txt/1.0.0/x",
	} {
		t.Run(target, func(t *testing.T) {
			resp, body := do(t, srv, "", target, nil)
			if strings.Contains(string(body), "top secret") {
				t.Fatalf("status %d served a file outside the package", resp.StatusCode)
			}
			// Follow a cleaning redirect: the target must not leak either.
			if loc := resp.Header.Get("Location"); resp.StatusCode == 301 && loc != "" {
				resp, body = do(t, srv, "", loc, nil)
				if strings.Contains(string(body), "top secret") {
					t.Fatalf("redirect to %s served a file outside the package", loc)
				}
			}
			if resp.StatusCode == 200 {
				t.Errorf("status 200 for %s", target)
			}
		})
	}

	// A link that stays inside the package is an ordinary file.
	runCases(t, srv, []httpCase{{name: "inner link", target: "/package/alpha/1.0.0/inner-link.yml", status: 200,
		body: readFixture(t, filepath.Join(pkgDir, "manifest.yml"))}})

	// The generated artifact leaves every link out.
	t.Run("artifact", func(t *testing.T) {
		_, body := do(t, srv, "", "/epr/alpha/alpha-1.0.0.zip", nil)
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		checkGeneratedZip(t, body, "alpha-1.0.0", pkgDir, nil)
		var links []string
		for _, zf := range zr.File {
			if strings.Contains(zf.Name, "link") {
				links = append(links, zf.Name)
			}
		}
		if !equalStrings(links, []string{"alpha-1.0.0/inner-link.yml"}) {
			t.Errorf("links archived: %q, want only the one inside the package", links)
		}
		if len(zr.File) != 16 {
			t.Errorf("artifact has %d entries, want the 15 of the package and the inner link", len(zr.File))
		}
	})
}

func TestArtifacts(t *testing.T) {
	f := newFixture(t)
	srv := startServer(t, defaultOptions(listIndexer{f.pkgs}))
	zipFile := readFixture(t, filepath.Join(f.zips, "gamma-1.2.0.zip"))
	zipSize := strconv.Itoa(len(zipFile))

	generated := map[string][]string{
		"Content-Type":                {"application/zip"},
		"Content-Length":              absent,
		"Last-Modified":               absent,
		"Accept-Ranges":               absent,
		"Cache-Control":               public("600"),
		"Access-Control-Allow-Origin": corsHeader,
	}
	invalid := plainError(noStoreCache, true)
	runCases(t, srv, []httpCase{
		{name: "zip file", target: "/epr/gamma/gamma-1.2.0.zip", status: 200,
			headers: fileHeaders("application/zip", len(zipFile)), body: zipFile},
		{name: "first segment ignored", target: "/epr/anything/gamma-1.2.0.zip", status: 200, body: zipFile},
		{name: "proxy redirect form", target: "/epr/package/gamma-1.2.0.zip", status: 200, body: zipFile},
		{name: "zip file HEAD", method: http.MethodHead, target: "/epr/gamma/gamma-1.2.0.zip", status: 200,
			headers: fileHeaders("application/zip", len(zipFile))},
		{name: "zip file range", target: "/epr/gamma/gamma-1.2.0.zip", header: map[string]string{"Range": "bytes=0-9"},
			status: 206, body: zipFile[:10], headers: map[string][]string{"Content-Range": {"bytes 0-9/" + zipSize}}},
		{name: "zip file not modified", target: "/epr/gamma/gamma-1.2.0.zip", header: map[string]string{"If-Modified-Since": afterFixture},
			status: 304, headers: map[string][]string{"Cache-Control": public("600"), "Last-Modified": {fixtureLastModified}}},
		{name: "generated HEAD", method: http.MethodHead, target: "/epr/alpha/alpha-1.0.0.zip", status: 200,
			headers: generated},
		{name: "generated ignores range", target: "/epr/alpha/alpha-1.0.0.zip", header: map[string]string{"Range": "bytes=0-9"},
			status: 200, headers: generated, anyBody: true},
		{name: "generated ignores if-modified-since", target: "/epr/alpha/alpha-1.0.0.zip", header: map[string]string{"If-Modified-Since": afterFixture},
			status: 200, headers: generated, anyBody: true},

		{name: "two-part version", target: "/epr/alpha/alpha-1.0.zip", status: 400, headers: invalid, body: "invalid package version\n"},
		{name: "dash in name", target: "/epr/x/foo-bar-1.0.0.zip", status: 400, headers: invalid, body: "invalid package version\n"},
		{name: "double extension", target: "/epr/x/gamma-1.2.0.zip.zip", status: 400, headers: invalid, body: "invalid package version\n"},
		{name: "unknown package", target: "/epr/alpha/missing-0.1.2.zip", status: 404, headers: invalid, body: "artifact not found\n"},
		{name: "unknown version", target: "/epr/alpha/alpha-999.0.0.zip", status: 404, headers: invalid, body: "artifact not found\n"},
	})

	t.Run("generated layout", func(t *testing.T) {
		resp, body := do(t, srv, "", "/epr/alpha/alpha-1.0.0.zip", nil)
		checkResponse(t, httpCase{status: 200, headers: generated, anyBody: true}, resp, body)
		if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
			t.Errorf("transfer encoding = %q, want chunked", resp.TransferEncoding)
		}
		checkGeneratedZip(t, body, "alpha-1.0.0", filepath.Join(f.root, "alpha", "1.0.0"), []string{
			"alpha-1.0.0/LICENSE.txt",
			"alpha-1.0.0/NOTICE",
			"alpha-1.0.0/agent/",
			"alpha-1.0.0/agent/stream/",
			"alpha-1.0.0/agent/stream/stream.yml.hbs",
			"alpha-1.0.0/data/",
			"alpha-1.0.0/data/fields.yaml",
			"alpha-1.0.0/docs/",
			"alpha-1.0.0/docs/README.md",
			"alpha-1.0.0/img/",
			"alpha-1.0.0/img/logo.svg",
			"alpha-1.0.0/kibana/",
			"alpha-1.0.0/kibana/dashboard/",
			"alpha-1.0.0/kibana/dashboard/alpha-overview.json",
			"alpha-1.0.0/manifest.yml",
		})
	})
	t.Run("generated small package is chunked too", func(t *testing.T) {
		resp, body := do(t, srv, "", "/epr/delta/delta-1.0.0+build1.zip", nil)
		if resp.StatusCode != 200 || resp.ContentLength != -1 || len(resp.TransferEncoding) == 0 {
			t.Errorf("status %d, length %d, encoding %q", resp.StatusCode, resp.ContentLength, resp.TransferEncoding)
		}
		checkGeneratedZip(t, body, "delta-1.0.0+build1", filepath.Join(f.root, "delta", "1.0.0+build1"),
			[]string{"delta-1.0.0+build1/manifest.yml"})
	})
}

// checkGeneratedZip reads an archive built on the fly and compares it with
// the package directory it came from; want, when not nil, is the exact list
// of entry names.
func checkGeneratedZip(t *testing.T, body []byte, prefix, dir string, want []string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a zip archive: %v", err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		if !zf.Modified.Equal(fixtureTime) {
			t.Errorf("%s: modified %v, want %v", zf.Name, zf.Modified, fixtureTime)
		}
		if strings.HasSuffix(zf.Name, "/") {
			if !zf.Mode().IsDir() {
				t.Errorf("%s: mode %v is not a directory", zf.Name, zf.Mode())
			}
			continue
		}
		if zf.Method != zip.Deflate {
			t.Errorf("%s: method %d, want deflate", zf.Name, zf.Method)
		}
		if zf.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want the file's 0644", zf.Name, zf.Mode())
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err)
		}
		wantBody := readFixture(t, filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(zf.Name, prefix+"/"))))
		if string(got) != wantBody {
			t.Errorf("%s: content differs from the package file", zf.Name)
		}
	}
	if want != nil && !equalStrings(names, want) {
		t.Errorf("entries:\n got %q\nwant %q", names, want)
	}
}

func TestArtifactVanished(t *testing.T) {
	f := newFixture(t)
	srv := startServer(t, defaultOptions(listIndexer{f.pkgs}))
	if err := os.RemoveAll(filepath.Join(f.root, "alpha", "1.0.0")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(f.zips, "gamma-1.2.0.zip")); err != nil {
		t.Fatal(err)
	}
	internal := plainError(public("600"), true)
	runCases(t, srv, []httpCase{
		{name: "directory package", target: "/epr/alpha/alpha-1.0.0.zip", status: 500, headers: internal, body: "internal server error\n"},
		{name: "zip package", target: "/epr/gamma/gamma-1.2.0.zip", status: 500, headers: internal, body: "internal server error\n"},
		{name: "static of zip package", target: "/package/gamma/1.2.0/manifest.yml", status: 500, headers: internal, body: "internal server error\n"},
	})
}

func TestSignatures(t *testing.T) {
	f := newFixture(t)
	srv := startServer(t, defaultOptions(listIndexer{f.pkgs}))
	alphaSig := readFixture(t, filepath.Join(f.root, "alpha", "1.0.0.sig"))
	gammaSig := readFixture(t, filepath.Join(f.zips, "gamma-1.2.0.zip.sig"))
	invalid := plainError(noStoreCache, true)
	runCases(t, srv, []httpCase{
		{name: "directory package", target: "/epr/alpha/alpha-1.0.0.zip.sig", status: 200,
			headers: fileHeaders("application/pgp-signature", len(alphaSig)), body: alphaSig},
		{name: "zip package", target: "/epr/whatever/gamma-1.2.0.zip.sig", status: 200,
			headers: fileHeaders("application/pgp-signature", len(gammaSig)), body: gammaSig},
		{name: "range", target: "/epr/alpha/alpha-1.0.0.zip.sig", header: map[string]string{"Range": "bytes=5-"},
			status: 206, body: alphaSig[5:], headers: map[string][]string{
				"Content-Range": {"bytes 5-" + strconv.Itoa(len(alphaSig)-1) + "/" + strconv.Itoa(len(alphaSig))}}},
		{name: "not modified", target: "/epr/alpha/alpha-1.0.0.zip.sig", header: map[string]string{"If-Modified-Since": afterFixture},
			status: 304, headers: map[string][]string{"Cache-Control": public("600")}},
		{name: "package without signature", target: "/epr/alpha/alpha-2.0.0-beta1.zip.sig", status: 500,
			headers: plainError(public("600"), true), body: "internal server error\n"},
		{name: "unknown version", target: "/epr/alpha/alpha-999.0.0.zip.sig", status: 404, headers: invalid, body: "signature file not found\n"},
		{name: "unknown package", target: "/epr/alpha/missing-1.0.0.zip.sig", status: 404, headers: invalid, body: "signature file not found\n"},
		{name: "invalid version", target: "/epr/alpha/alpha-a.b.c.zip.sig", status: 400, headers: invalid, body: "invalid package version\n"},
	})
}

func TestCacheTimeFormat(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Second, "max-age=10"},
		{10 * time.Minute, "max-age=600"},
		{3 * time.Hour, "max-age=10800"},
		{1500 * time.Millisecond, "max-age=2"},
		{2500 * time.Millisecond, "max-age=2"},
		{400 * time.Millisecond, "max-age=0"},
	} {
		// Configured cache times are formatted once, others when asked.
		for _, s := range []*server{{cacheControl: cacheControlValues(c.d)}, {}} {
			h := http.Header{}
			h.Set("Cache-Control", "stale")
			s.setPublicCache(h, c.d)
			if got := h.Values("Cache-Control"); !equalStrings(got, []string{c.want, "public"}) {
				t.Errorf("%v: %q", c.d, got)
			}
		}
	}
}
