package proxymode

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

func TestRedirectTargets(t *testing.T) {
	p := &packages.Package{Name: "good_content", Version: "0.1.0-rc1"}
	serve := map[string]func(rs *Resolver, w http.ResponseWriter, r *http.Request){
		"artifact":  func(rs *Resolver, w http.ResponseWriter, r *http.Request) { rs.ServeArtifact(w, r, p) },
		"signature": func(rs *Resolver, w http.ResponseWriter, r *http.Request) { rs.ServeSignature(w, r, p) },
		"static":    func(rs *Resolver, w http.ResponseWriter, r *http.Request) { rs.ServeStatic(w, r, p, "docs/README.md") },
		"static with space": func(rs *Resolver, w http.ResponseWriter, r *http.Request) {
			rs.ServeStatic(w, r, p, "img/a b.png")
		},
	}
	paths := map[string]string{
		"artifact":          "/epr/package/good_content-0.1.0-rc1.zip",
		"signature":         "/epr/package/good_content-0.1.0-rc1.zip.sig",
		"static":            "/package/good_content/0.1.0-rc1/docs/README.md",
		"static with space": "/package/good_content/0.1.0-rc1/img/a%20b.png",
	}
	remotes := []struct {
		proxyTo string
		base    string
	}{
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"https://epr.example.com/some/path/?q=1#x", "https://epr.example.com"},
		{"https://epr.example.com:8443/mirror", "https://epr.example.com:8443"},
	}
	for _, remote := range remotes {
		c := newTestClient(t, remote.proxyTo, Options{})
		for kind, fn := range serve {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				t.Run(remote.proxyTo+" "+kind+" "+method, func(t *testing.T) {
					req := incoming(method, "/epr/good_content/good_content-0.1.0-rc1.zip")
					w := httptest.NewRecorder()
					// The handlers set the cache headers first; they must stay.
					w.Header().Set("Cache-Control", "max-age=600, public")
					fn(c.resolver, w, req)

					want := remote.base + paths[kind]
					if w.Code != http.StatusMovedPermanently {
						t.Errorf("status = %d, want 301", w.Code)
					}
					if got := w.Header().Get("Location"); got != want {
						t.Errorf("Location = %q, want %q", got, want)
					}
					if got := w.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
						t.Errorf("Content-Type = %q", got)
					}
					if got := w.Header().Get("Cache-Control"); got != "max-age=600, public" {
						t.Errorf("Cache-Control = %q", got)
					}
					wantBody := "<a href=\"" + html.EscapeString(want) + "\">Moved Permanently</a>.\n\n"
					if method == http.MethodHead {
						wantBody = ""
					}
					if got := w.Body.String(); got != wantBody {
						t.Errorf("body = %q, want %q", got, wantBody)
					}
				})
			}
		}
	}
}

// TestRedirectReachesRemote asks for the files of a package found remotely
// with credentials in -proxy-to, the way Kibana does, and checks what the
// remote registry receives.
func TestRedirectReachesRemote(t *testing.T) {
	remote := newFakeRemote(t, map[string][]reply{
		"/package/foo/1.0.0/":             {{file: "package-foo-1.0.0.json"}},
		"/epr/package/foo-1.0.0.zip":      {{contentType: "application/zip", body: "PK zip"}},
		"/epr/package/foo-1.0.0.zip.sig":  {{contentType: "application/octet-stream", body: "sig"}},
		"/package/foo/1.0.0/manifest.yml": {{contentType: "text/yaml", body: "name: foo\n"}},
	})
	proxyTo := strings.Replace(remote.srv.URL, "http://", "http://kibana:pw@", 1) + "/ignored/"
	c := newTestClient(t, proxyTo, Options{})

	front := frontFor(t, c.Client)

	cases := []struct {
		path       string
		remotePath string
		body       string
	}{
		{"/epr/foo/foo-1.0.0.zip", "/epr/package/foo-1.0.0.zip", "PK zip"},
		{"/epr/whatever/foo-1.0.0.zip.sig", "/epr/package/foo-1.0.0.zip.sig", "sig"},
		{"/package/foo/1.0.0/manifest.yml", "/package/foo/1.0.0/manifest.yml", "name: foo\n"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			before := len(remote.requests())
			resp, err := http.Get(front.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body := new(strings.Builder)
			if _, err := io.Copy(body, resp.Body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || body.String() != tc.body {
				t.Errorf("answer: %d %q", resp.StatusCode, body)
			}
			// With credentials the file is relayed, not redirected: a
			// redirect would hand them to the client.
			if resp.Request.URL.Host != strings.TrimPrefix(front.URL, "http://") {
				t.Errorf("answered through a redirect to %s", resp.Request.URL.Redacted())
			}
			got := remote.requests()[before:]
			if len(got) != 2 {
				t.Fatalf("remote got %d requests, want the lookup and the file", len(got))
			}
			if got[0].path != "/package/foo/1.0.0/" || got[1].path != tc.remotePath {
				t.Errorf("remote paths = %q, %q", got[0].path, got[1].path)
			}
			// The relay authenticates with the user info of -proxy-to.
			for _, r := range got {
				if auth := r.header.Get("Authorization"); auth != "Basic a2liYW5hOnB3" {
					t.Errorf("%s: Authorization = %q", r.path, auth)
				}
			}
		})
	}
}
