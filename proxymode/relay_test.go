package proxymode

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// authRemote is a remote registry that wants Basic credentials: files are
// served with http.ServeContent (ranges, conditional requests), plus a few
// hostile paths.
func authRemote(t *testing.T, user, password string) *httptest.Server {
	t.Helper()
	doc, err := os.ReadFile("testdata/package-foo-1.0.0.json")
	if err != nil {
		t.Fatal(err)
	}
	modTime := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	files := map[string]string{
		"/epr/package/foo-1.0.0.zip":           "PK\x03\x04 zip bytes of foo",
		"/epr/package/foo-1.0.0.zip.sig":       "-----BEGIN PGP SIGNATURE-----",
		"/package/foo/1.0.0/docs/README.md":    "# Foo\n",
		"/package/foo/1.0.0/img/no-type":       "\x89PNG not a type the remote gave",
		"/package/foo/1.0.0/docs/a b;c%d.md":   "escaped",
		"/package/foo/1.0.0/img/foo.svg":       "<svg/>",
		"/package/foo/1.0.0/docs/cookie.md":    "with a cookie",
		"/package/foo/1.0.0/docs/challenge.md": "unused",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="epr"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/package/foo/1.0.0/":
			w.Header().Set("Content-Type", "application/json")
			w.Write(doc)
			return
		case "/package/foo/1.0.0/moved":
			http.Redirect(w, r, "/package/foo/1.0.0/docs/README.md", http.StatusFound)
			return
		case "/package/foo/1.0.0/elsewhere":
			// A redirect to another host that even echoes the credentials.
			http.Redirect(w, r, "https://"+user+":"+password+"@mirror.example.com/foo.zip", http.StatusFound)
			return
		case "/package/foo/1.0.0/stall":
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		case "/package/foo/1.0.0/docs/cookie.md":
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "remote"})
		}
		content, ok := files[r.URL.Path]
		if !ok {
			http.Error(w, "resource not found", http.StatusNotFound)
			return
		}
		if strings.HasSuffix(r.URL.Path, "no-type") {
			w.Header()["Content-Type"] = nil
		}
		http.ServeContent(w, r, r.URL.Path, modTime, strings.NewReader(content))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// frontFor is a stand-in for the registry's file handlers: it looks the
// package up remotely, sets the public cache headers and hands the request
// to the package's resolver, as the server does.
func frontFor(t *testing.T, c *Client) *httptest.Server {
	t.Helper()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := c.Package(r, "foo", "1.0.0")
		if err != nil || p == nil {
			http.Error(w, "lookup failed", http.StatusInternalServerError)
			return
		}
		w.Header()["Cache-Control"] = []string{"max-age=600", "public"}
		remote := indexer.Remote(p)
		switch {
		case strings.HasSuffix(r.URL.Path, ".zip"):
			remote.ServeArtifact(w, r, p)
		case strings.HasSuffix(r.URL.Path, ".zip.sig"):
			remote.ServeSignature(w, r, p)
		default:
			remote.ServeStatic(w, r, p, strings.TrimPrefix(r.URL.Path, "/package/foo/1.0.0/"))
		}
	}))
	t.Cleanup(front.Close)
	return front
}

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestCredentialsNeverInAnswers: with user info in -proxy-to, the files of
// remote packages are relayed with the credentials and no answer, header
// or body, carries them; what a client following a redirect would get
// (status, type, length, dates, ranges, conditional answers) comes back.
func TestCredentialsNeverInAnswers(t *testing.T) {
	const user, password = "kibana", "s3cr3t-pw"
	remote := authRemote(t, user, password)
	proxyTo := strings.Replace(remote.URL, "http://", "http://"+user+":"+password+"@", 1) + "/"
	c := newTestClient(t, proxyTo, Options{})
	c.resolver.relay.stall = 200 * time.Millisecond
	front := frontFor(t, c.Client)
	lastModified := "Fri, 01 Mar 2024 10:00:00 GMT"

	cases := []struct {
		name       string
		method     string
		path       string
		header     map[string]string
		wantStatus int
		wantBody   string
		wantHeader map[string]string // "" means absent
	}{
		{
			name: "artifact", method: http.MethodGet, path: "/epr/foo/foo-1.0.0.zip",
			wantStatus: 200, wantBody: "PK\x03\x04 zip bytes of foo",
			wantHeader: map[string]string{"Content-Type": "application/zip", "Content-Length": "21", "Last-Modified": lastModified,
				"Accept-Ranges": "bytes", "Cache-Control": "max-age=600", "Location": ""},
		},
		{
			name: "artifact HEAD", method: http.MethodHead, path: "/epr/foo/foo-1.0.0.zip",
			wantStatus: 200, wantBody: "",
			wantHeader: map[string]string{"Content-Type": "application/zip", "Content-Length": "21", "Last-Modified": lastModified},
		},
		{
			name: "signature, any other method answers like GET", method: http.MethodDelete, path: "/epr/x/foo-1.0.0.zip.sig",
			wantStatus: 200, wantBody: "-----BEGIN PGP SIGNATURE-----",
			wantHeader: map[string]string{"Content-Length": "29", "Last-Modified": lastModified},
		},
		{
			name: "static", method: http.MethodGet, path: "/package/foo/1.0.0/docs/README.md",
			wantStatus: 200, wantBody: "# Foo\n",
			wantHeader: map[string]string{"Content-Type": "text/markdown; charset=utf-8", "Content-Length": "6"},
		},
		{
			name: "static with escaped characters", method: http.MethodGet, path: "/package/foo/1.0.0/docs/a%20b;c%25d.md",
			wantStatus: 200, wantBody: "escaped",
		},
		{
			name: "no type from the remote, none sniffed", method: http.MethodGet, path: "/package/foo/1.0.0/img/no-type",
			wantStatus: 200, wantBody: "\x89PNG not a type the remote gave",
			wantHeader: map[string]string{"Content-Type": ""},
		},
		{
			name: "range", method: http.MethodGet, path: "/epr/foo/foo-1.0.0.zip", header: map[string]string{"Range": "bytes=0-3"},
			wantStatus: 206, wantBody: "PK\x03\x04",
			wantHeader: map[string]string{"Content-Range": "bytes 0-3/21", "Content-Length": "4"},
		},
		{
			name: "not modified", method: http.MethodGet, path: "/epr/foo/foo-1.0.0.zip",
			header:     map[string]string{"If-Modified-Since": "Fri, 01 Mar 2030 10:00:00 GMT"},
			wantStatus: 304, wantBody: "",
			wantHeader: map[string]string{"Last-Modified": lastModified},
		},
		{
			name: "client credentials are not forwarded", method: http.MethodGet, path: "/package/foo/1.0.0/docs/README.md",
			header:     map[string]string{"Authorization": "Basic bm9ib2R5OnNvbWV0aGluZw==", "Cookie": "a=b"},
			wantStatus: 200, wantBody: "# Foo\n",
		},
		{
			name: "remote cookies are not relayed", method: http.MethodGet, path: "/package/foo/1.0.0/docs/cookie.md",
			wantStatus: 200, wantBody: "with a cookie",
			wantHeader: map[string]string{"Set-Cookie": ""},
		},
		{
			name: "missing file", method: http.MethodGet, path: "/package/foo/1.0.0/nope",
			wantStatus: 404, wantBody: "resource not found\n",
		},
		{
			name: "redirect on the same host is followed with the credentials", method: http.MethodGet, path: "/package/foo/1.0.0/moved",
			wantStatus: 200, wantBody: "# Foo\n",
		},
		{
			name: "redirect elsewhere reaches the client without user info", method: http.MethodGet, path: "/package/foo/1.0.0/elsewhere",
			wantStatus: 302, wantBody: "<a href=\"https://mirror.example.com/foo.zip\">Found</a>.\n\n",
			wantHeader: map[string]string{"Location": "https://mirror.example.com/foo.zip", "Cache-Control": "max-age=600"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, front.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var buf bytes.Buffer
			if _, err := buf.ReadFrom(resp.Body); err != nil {
				t.Fatalf("reading the answer: %v", err)
			}
			body := buf.String()
			if resp.StatusCode != tc.wantStatus || body != tc.wantBody {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			for k, v := range tc.wantHeader {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			answer := fmt.Sprint(resp.Header) + body
			for _, secret := range []string{password, user + ":"} {
				if strings.Contains(answer, secret) {
					t.Errorf("answer carries %q: %s", secret, answer)
				}
			}
		})
	}

	// A remote that stops sending: the client sees a failed download, not
	// a complete-looking short one.
	if resp, err := noFollow.Get(front.URL + "/package/foo/1.0.0/stall"); err == nil {
		if b, err := io.ReadAll(resp.Body); err == nil {
			t.Errorf("stalled remote: the client read a whole answer %d %q", resp.StatusCode, b)
		}
		resp.Body.Close()
	}

	for _, e := range c.logs.All() {
		if line := fmt.Sprint(e.Message, e.ContextMap()); strings.Contains(line, password) {
			t.Errorf("log line carries the password: %s", line)
		}
	}
}

// TestRelayFailure: an unreachable remote answers 500 without cache
// headers and without the credentials, in the answer and in the logs.
func TestRelayFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	proxyTo := strings.Replace(srv.URL, "http://", "http://kibana:s3cr3t-pw@", 1)
	srv.Close()
	c := newTestClient(t, proxyTo, Options{})
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		w := httptest.NewRecorder()
		w.Header()["Cache-Control"] = []string{"max-age=600", "public"}
		c.resolver.ServeArtifact(w, incoming(method, "/epr/foo/foo-1.0.0.zip"), &packages.Package{Name: "foo", Version: "1.0.0"})
		if w.Code != http.StatusInternalServerError || w.Body.String() != "internal server error\n" || w.Header().Get("Cache-Control") != "" {
			t.Errorf("%s: %d %q %v", method, w.Code, w.Body.String(), w.Header())
		}
	}
	logs := c.logs.FilterMessage("proxy mode: file failed").All()
	if len(logs) != 2 {
		t.Fatalf("%d failure lines, want 2", len(logs))
	}
	for _, e := range logs {
		if line := fmt.Sprint(e.ContextMap()); strings.Contains(line, "s3cr3t-pw") || !strings.Contains(line, "kibana:xxxxx@") {
			t.Errorf("log line: %s", line)
		}
	}
}

// Without credentials nothing is relayed: the redirect is upstream's, and
// never carries user info.
func TestNoCredentialsKeepsRedirects(t *testing.T) {
	c := newTestClient(t, "https://epr.example.com/", Options{})
	if c.resolver.relay != nil {
		t.Fatal("relay set up without credentials")
	}
	w := httptest.NewRecorder()
	c.resolver.ServeArtifact(w, incoming(http.MethodGet, "/epr/foo/foo-1.0.0.zip"), &packages.Package{Name: "foo", Version: "1.0.0"})
	if got := w.Header().Get("Location"); w.Code != http.StatusMovedPermanently || got != "https://epr.example.com/epr/package/foo-1.0.0.zip" {
		t.Errorf("%d Location %q", w.Code, got)
	}
	if bytes.Contains(w.Body.Bytes(), []byte("@")) {
		t.Errorf("body %q", w.Body.String())
	}
}
