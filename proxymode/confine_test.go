package proxymode

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// recorder is a server that only counts what reaches it.
type recorder struct {
	mu   sync.Mutex
	hits []string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.hits = append(rec.hits, r.Method+" "+r.URL.String()+" auth="+r.Header.Get("Authorization"))
	rec.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	// What a hostile host would like merged into /search.
	w.Write([]byte(`[{"name":"evil","version":"6.6.6","type":"integration"}]`))
}

func (rec *recorder) seen() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.hits...)
}

// TestRedirectsStayOnTheRemote: an HTTPS remote registry that redirects to
// http://, to another host or to another port is not followed (no request
// reaches the other side, credentials included), fails at once, and its
// error names no password; a redirect on the same scheme and host is
// followed.
func TestRedirectsStayOnTheRemote(t *testing.T) {
	plain := &recorder{}
	plainSrv := httptest.NewServer(plain)
	defer plainSrv.Close()
	other := &recorder{}
	otherSrv := httptest.NewTLSServer(other)
	defer otherSrv.Close()

	var remoteURL string
	remote := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/search":
			q := r.URL.Query().Get("to")
			targets := map[string]string{
				"http":       plainSrv.URL + "/search",
				"http-same":  strings.Replace(remoteURL, "https://", "http://", 1) + "/search",
				"other-host": otherSrv.URL + "/search",
				"same-host":  "/mirror/search",
			}
			http.Redirect(w, r, targets[q], http.StatusFound)
		case "/mirror/search":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte("[]"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer remote.Close()
	remoteURL = remote.URL
	// One client trusts both TLS servers (httptest's certificate).
	client := remote.Client()
	proxyTo := strings.Replace(remote.URL, "https://", "https://kibana:s3cr3t-pw@", 1)

	// Where /search?to=… redirects, and whether that redirect is followed.
	followed := map[string]bool{"http": false, "http-same": false, "other-host": false, "same-host": true}
	for to, follow := range followed {
		t.Run(to, func(t *testing.T) {
			c := newTestClient(t, proxyTo, Options{HTTPClient: client})
			pkgs, err := c.Search(incoming(http.MethodGet, "/search?to="+to))
			if follow {
				checkErr(t, err, "")
			} else {
				checkErr(t, err, "refused: only redirects to the same scheme and host are followed")
			}
			if err != nil && strings.Contains(err.Error(), "s3cr3t-pw") {
				t.Errorf("error names the password: %v", err)
			}
			if len(pkgs) != 0 {
				t.Errorf("merged %d packages from the redirect", len(pkgs))
			}
			if n := len(c.sleeps.recorded()); n != 0 {
				t.Errorf("a refused redirect was retried %d times", n)
			}
			for _, e := range c.logs.All() {
				if strings.Contains(e.Message+" "+strings.Join(fieldValues(e.ContextMap()), " "), "s3cr3t-pw") {
					t.Errorf("log line names the password: %s %v", e.Message, e.ContextMap())
				}
			}
		})
	}
	if hits := append(plain.seen(), other.seen()...); len(hits) != 0 {
		t.Errorf("redirects followed to other servers: %v", hits)
	}
}

func fieldValues(m map[string]any) []string {
	var out []string
	for k, v := range m {
		if s, ok := v.(string); ok {
			out = append(out, k+"="+s)
		}
	}
	return out
}

// TestRemoteMustNameThePackage: remote /search entries whose name or
// version could not be served are left out with a warning; a remote package
// document must be the package asked for, or it is an error and no
// redirect is built from it; a name no package can have is not asked.
func TestRemoteMustNameThePackage(t *testing.T) {
	hostileSearch := `[
		{"name": "x/../../..", "version": "1.0.0", "type": "integration"},
		{"name": "Nginx", "version": "1.0.0", "type": "integration"},
		{"name": "", "version": "1.0.0", "type": "integration"},
		{"name": "foo", "version": "1.0.0/../../..", "type": "integration"},
		{"name": "foo", "version": "1.0.0", "type": "integration"}
	]`
	remote := newFakeRemote(t, map[string][]reply{
		"/search":             {{body: hostileSearch}},
		"/package/foo/1.0.0/": {{body: `{"name": "x/../../..", "version": "1.0.0"}`}},
		"/package/bar/1.0.0/": {{body: `{"name": "foo", "version": "1.0.0"}`}},
		"/package/baz/1.0.0/": {{body: `{"name": "baz", "version": "1.0.1"}`}},
		"/package/ok/1.0.0/":  {{body: `{"name": "ok", "version": "1.0.0"}`}},
	})
	c := newTestClient(t, remote.srv.URL, Options{})

	pkgs, err := c.Search(incoming(http.MethodGet, "/search?all=true"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 || pkgs[0].Name != "foo" || pkgs[0].Version != "1.0.0" {
		t.Errorf("search kept %v", pkgs)
	}
	if n := c.logs.FilterMessage("ignoring remote package that cannot be served").Len(); n != 4 {
		t.Errorf("%d warnings, want 4", n)
	}

	cases := []struct {
		name, version string
		wantErr       string
		wantAsked     bool
	}{
		{"foo", "1.0.0", `remote registry answered package "x/../../.." version "1.0.0" for foo-1.0.0`, true},
		{"bar", "1.0.0", `remote registry answered package "foo" version "1.0.0" for bar-1.0.0`, true},
		{"baz", "1.0.0", `remote registry answered package "baz" version "1.0.1" for baz-1.0.0`, true},
		{"ok", "1.0.0", "", true},
		{"..", "1.0.0", "", false},
		{"Foo", "1.0.0", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(remote.requests())
			p, err := c.Package(incoming(http.MethodGet, "/package/x/1.0.0/docs/README.md"), tc.name, tc.version)
			checkErr(t, err, tc.wantErr)
			if (p != nil) != (tc.wantErr == "" && tc.wantAsked) {
				t.Errorf("package = %+v", p)
			}
			if asked := len(remote.requests()) > before; asked != tc.wantAsked {
				t.Errorf("remote asked: %v, want %v", asked, tc.wantAsked)
			}
		})
	}

	// Through a file handler: the hostile document never becomes a
	// redirect.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := c.Package(r, "foo", "1.0.0")
		if err != nil || p == nil {
			http.Error(w, "internal server error", http.StatusInternalServerError)
			return
		}
		c.resolver.ServeStatic(w, r, p, "docs/README.md")
	}))
	defer front.Close()
	resp, err := noFollow.Get(front.URL + "/package/foo/1.0.0/docs/README.md")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Location") != "" {
		t.Errorf("hostile remote document: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
