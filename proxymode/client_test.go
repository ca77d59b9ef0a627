package proxymode

import (
	"bytes"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/eprgo/package-registry/packages"
)

func TestForwardsPathAndRawQuery(t *testing.T) {
	remote := newFakeRemote(t, map[string][]reply{
		"/search":     {{file: "search.json"}},
		"/categories": {{file: "categories.json"}},
	})
	base := remote.srv.URL // http://127.0.0.1:port

	cases := []struct {
		name     string
		proxyTo  string
		method   string
		target   string
		wantAuth string
	}{
		{"search", base + "/", http.MethodGet, "/search?package=foo&all=true", ""},
		{"search unknown and encoded parameters", base, http.MethodGet, "/search?zzz=1&b=x+y&a=%2F%26&a=2&empty=", ""},
		{"search as HEAD is asked with GET", base, http.MethodHead, "/search?kibana.version=8.1.0", ""},
		{"search path in proxy-to ignored", base + "/some/prefix/?x=1#frag", http.MethodGet, "/search?type=input", ""},
		{"search user info kept", strings.Replace(base, "http://", "http://user:secret@", 1) + "/mirror/", http.MethodGet, "/search", "Basic dXNlcjpzZWNyZXQ="},
		{"categories", base + "/", http.MethodGet, "/categories?prerelease=true&include_policy_templates=1", ""},
		{"categories path in proxy-to ignored", base + "/registry", http.MethodGet, "/categories", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(remote.requests())
			c := newTestClient(t, tc.proxyTo, Options{})
			r := incoming(tc.method, tc.target)
			// None of these may reach the remote registry.
			r.Header.Set("User-Agent", "Kibana/8.19.0")
			r.Header.Set("Authorization", "Bearer client-token")
			r.Header.Set("Cookie", "sid=1")
			r.Header.Set("Accept-Language", "fr")
			r.Header.Set("If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT")
			r.Header.Set("X-Forwarded-For", "10.0.0.1")

			var err error
			if strings.HasPrefix(tc.target, "/search") {
				_, err = c.Search(r)
			} else {
				_, err = c.Categories(r)
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}

			got := remote.requests()[before:]
			if len(got) != 1 {
				t.Fatalf("remote got %d requests, want 1", len(got))
			}
			req := got[0]
			if req.method != http.MethodGet {
				t.Errorf("method = %s, want GET", req.method)
			}
			if req.escapedPath != r.URL.EscapedPath() {
				t.Errorf("path = %q, want %q", req.escapedPath, r.URL.EscapedPath())
			}
			if req.rawQuery != r.URL.RawQuery {
				t.Errorf("raw query = %q, want %q", req.rawQuery, r.URL.RawQuery)
			}
			want := http.Header{
				"User-Agent":      {"Go-http-client/1.1"},
				"Accept-Encoding": {"gzip"},
			}
			if tc.wantAuth != "" {
				want["Authorization"] = []string{tc.wantAuth}
			}
			if !reflect.DeepEqual(req.header, want) {
				t.Errorf("remote saw headers %v, want %v", req.header, want)
			}
		})
	}
}

func TestSearchDecodesRemoteEntries(t *testing.T) {
	remote := newFakeRemote(t, map[string][]reply{"/search": {{file: "search.json"}}})
	c := newTestClient(t, remote.srv.URL, Options{})

	pkgs, err := c.Search(incoming(http.MethodGet, "/search?all=true"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range pkgs {
		ids = append(ids, p.Name+"@"+p.Version)
		if p.SemVer == nil || p.SemVer.Original() != p.Version {
			t.Errorf("%s: SemVer = %v, want the parsed version", p.Name, p.SemVer)
		}
		if p.Resolver != c.resolver {
			t.Errorf("%s: Resolver is not the proxy resolver", p.Name)
		}
		if p.BasePath != "" || p.IsZip {
			t.Errorf("%s: remote package has a local location %q", p.Name, p.BasePath)
		}
	}
	if want := []string{"bar@0.1.0", "foo@1.0.0", "foo@1.1.0-beta1"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("packages = %v, want %v", ids, want)
	}

	bar, foo, fooBeta := pkgs[0], pkgs[1], pkgs[2]
	if bar.Discovery != nil {
		t.Errorf("empty discovery kept: %+v", bar.Discovery)
	}
	if foo.KibanaConstraint == nil || !foo.KibanaConstraint.Check(mustVersion(t, "8.5.0")) || foo.KibanaConstraint.Check(mustVersion(t, "7.17.0")) {
		t.Errorf("foo 1.0.0 Kibana constraint not parsed as ^8.0.0: %v", foo.KibanaConstraint)
	}
	if fooBeta.AgentConstraint == nil || foo.AgentConstraint != nil {
		t.Errorf("Agent constraints: beta %v, 1.0.0 %v", fooBeta.AgentConstraint, foo.AgentConstraint)
	}
	if len(bar.PolicyTemplates) != 1 || !reflect.DeepEqual(bar.PolicyTemplates[0].Categories, []string{"web"}) {
		t.Errorf("bar policy templates = %+v", bar.PolicyTemplates)
	}

	out, err := packages.MarshalIndentJSON(bar)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("field_unknown_to_the_model")) {
		t.Errorf("a field unknown to the model survived re-encoding:\n%s", out)
	}
}

func TestSearchDecodesBodyWhateverTheStatus(t *testing.T) {
	cases := []struct {
		name      string
		reply     reply
		wantNames int
		wantErr   string
	}{
		{"200 empty list", reply{body: "[]"}, 0, ""},
		{"404 with a JSON list", reply{status: 404, body: "[]"}, 0, ""},
		{"400 with a JSON list", reply{status: 400, file: "search.json"}, 3, ""},
		{"501 with a JSON list is not retried", reply{status: 501, file: "search.json"}, 3, ""},
		{"null body", reply{body: "null"}, 0, ""},
		{"400 plain text", reply{status: 400, contentType: "text/plain; charset=utf-8", body: "invalid 'prerelease' query param: 'foo'\n"}, 0, "decoding remote search response (status 400)"},
		{"404 plain text", reply{status: 404, contentType: "text/plain; charset=utf-8", body: "404 page not found\n"}, 0, "decoding remote search response (status 404)"},
		{"JSON object", reply{body: `{"name":"foo"}`}, 0, "cannot unmarshal object"},
		{"invalid package version is left out", reply{file: "search-bad-version.json"}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			remote := newFakeRemote(t, map[string][]reply{"/search": {tc.reply}})
			c := newTestClient(t, remote.srv.URL, Options{})
			pkgs, err := c.Search(incoming(http.MethodGet, "/search"))
			checkErr(t, err, tc.wantErr)
			if len(pkgs) != tc.wantNames {
				t.Errorf("got %d packages, want %d", len(pkgs), tc.wantNames)
			}
			if n := len(remote.requests()); n != 1 {
				t.Errorf("remote asked %d times, want 1", n)
			}
		})
	}
}

func TestCategories(t *testing.T) {
	cases := []struct {
		name    string
		reply   reply
		want    []packages.CategoryCount
		wantErr string
	}{
		{"list", reply{file: "categories.json"}, []packages.CategoryCount{
			{ID: "security", Title: "Security", Count: 2},
			{ID: "web", Title: "Web", Count: 1, ParentID: "observability", ParentTitle: "Observability"},
		}, ""},
		{"400 with a JSON list is decoded", reply{status: 400, body: `[{"id":"web","title":"Web","count":4}]`}, []packages.CategoryCount{
			{ID: "web", Title: "Web", Count: 4},
		}, ""},
		{"plain text", reply{status: 400, contentType: "text/plain", body: "invalid 'prerelease' query param: 'foo'\n"}, nil, "decoding remote categories response (status 400)"},
		{"search answer shape", reply{body: `{"id":"web"}`}, nil, "cannot unmarshal object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			remote := newFakeRemote(t, map[string][]reply{"/categories": {tc.reply}})
			c := newTestClient(t, remote.srv.URL, Options{})
			got, err := c.Categories(incoming(http.MethodGet, "/categories?prerelease=true"))
			checkErr(t, err, tc.wantErr)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("categories = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestPackageDocumentRoundTrips(t *testing.T) {
	remote := newFakeRemote(t, map[string][]reply{
		"/package/foo/1.0.0/": {{file: "package-foo-1.0.0.json"}},
	})
	c := newTestClient(t, remote.srv.URL+"/ignored/path/", Options{})

	p, err := c.Package(incoming(http.MethodGet, "/package/foo/1.0.0/"), "foo", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if p == nil {
		t.Fatal("package not found")
	}
	if got := remote.requests()[0].path; got != "/package/foo/1.0.0/" {
		t.Errorf("remote path = %q", got)
	}
	if p.SemVer == nil || p.SpecMajorMinor == nil || p.SpecMajorMinor.String() != "3.1.0" || p.KibanaConstraint == nil {
		t.Errorf("runtime not initialised: %+v", p.Runtime)
	}
	if p.Resolver != c.resolver {
		t.Errorf("Resolver is not the proxy resolver")
	}

	// Served as a local document, the package must give back the remote
	// document byte for byte (the test file is in the registry's format).
	want, err := os.ReadFile("testdata/package-foo-1.0.0.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := packages.MarshalIndentJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("re-encoded package differs:\n%s\nwant:\n%s", got, want)
	}
}

func TestPackageStatuses(t *testing.T) {
	cases := []struct {
		name     string
		reply    reply
		wantNil  bool
		wantErr  string
		attempts int
	}{
		{"404 is not found", reply{status: 404, contentType: "text/plain; charset=utf-8", body: "package revision not found\n"}, true, "", 1},
		{"400 is an error", reply{status: 400, contentType: "text/plain; charset=utf-8", body: "invalid package version\n"}, true, "remote registry answered 400 for package foo-1.0.0", 1},
		{"403 is an error", reply{status: 403, body: "[]"}, true, "remote registry answered 403", 1},
		{"201 is an error", reply{status: 201, file: "package-foo-1.0.0.json"}, true, "remote registry answered 201", 1},
		{"200 bad JSON", reply{body: "{not json"}, true, "decoding remote package foo-1.0.0", 1},
		{"200 invalid version", reply{body: `{"name":"foo","version":"v1"}`}, true, "invalid package version", 1},
		{"200 invalid Kibana range", reply{body: `{"name":"foo","version":"1.0.0","conditions":{"kibana":{"version":"not a range"}}}`}, true, "invalid Kibana versions range", 1},
		{"200 invalid format version", reply{body: `{"name":"foo","version":"1.0.0","format_version":"3"}`}, true, "invalid format spec version", 1},
		{"200 with JSON charset", reply{contentType: "application/json; charset=utf-8", file: "package-foo-1.0.0.json"}, false, "", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			remote := newFakeRemote(t, map[string][]reply{"/package/foo/1.0.0/": {tc.reply}})
			c := newTestClient(t, remote.srv.URL, Options{})
			p, err := c.Package(incoming(http.MethodGet, "/epr/foo/foo-1.0.0.zip"), "foo", "1.0.0")
			checkErr(t, err, tc.wantErr)
			if (p == nil) != tc.wantNil {
				t.Errorf("package = %v, want nil: %v", p, tc.wantNil)
			}
			if n := len(remote.requests()); n != tc.attempts {
				t.Errorf("remote asked %d times, want %d", n, tc.attempts)
			}
		})
	}
}

func TestPackageFollowsRedirects(t *testing.T) {
	remote := newFakeRemote(t, map[string][]reply{
		"/package/foo/1.0.0/":    {{status: http.StatusFound, contentType: "-", headers: map[string]string{"Location": "/mirror/foo-1.0.0.json"}}},
		"/mirror/foo-1.0.0.json": {{file: "package-foo-1.0.0.json"}},
	})
	c := newTestClient(t, remote.srv.URL, Options{})
	p, err := c.Package(incoming(http.MethodGet, "/package/foo/1.0.0/"), "foo", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if p == nil || p.Name != "foo" {
		t.Fatalf("package = %+v", p)
	}
	if n := len(remote.requests()); n != 2 {
		t.Errorf("remote asked %d times, want 2 (one redirect)", n)
	}
}

func TestLogLines(t *testing.T) {
	remote := newFakeRemote(t, map[string][]reply{
		"/search":             {{body: "[]"}},
		"/categories":         {{body: "[]"}},
		"/package/foo/1.0.0/": {{status: 404}},
	})
	proxyTo := strings.Replace(remote.srv.URL, "http://", "http://user:secret@", 1) + "/path"
	c := newTestClient(t, proxyTo, Options{})
	r := incoming(http.MethodGet, "/search?package=foo")
	if _, err := c.Search(r); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Categories(incoming(http.MethodGet, "/categories")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Package(r, "foo", "1.0.0"); err != nil {
		t.Fatal(err)
	}

	host := strings.TrimPrefix(remote.srv.URL, "http://")
	type line struct {
		level zapcore.Level
		msg   string
		uri   string
	}
	want := []line{
		{zapcore.DebugLevel, "Proxy /search request", "http://user:xxxxx@" + host + "/search?package=foo"},
		{zapcore.DebugLevel, "Proxy /categories request", "http://user:xxxxx@" + host + "/categories"},
		{zapcore.DebugLevel, "Proxy /package request", "http://user:xxxxx@" + host + "/package/foo/1.0.0/"},
	}
	var got []line
	for _, e := range c.logs.All() {
		uri, _ := e.ContextMap()["request.uri"].(string)
		got = append(got, line{e.Level, e.Message, uri})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("log lines:\n%+v\nwant:\n%+v", got, want)
	}
}

func TestNewRejectsUnparsableURL(t *testing.T) {
	_, err := New("ht tp://x", Options{})
	checkErr(t, err, `invalid -proxy-to URL: parse "ht tp://x": first path segment in URL cannot contain colon`)
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Errorf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("error %q does not contain %q", err, want)
	}
}
