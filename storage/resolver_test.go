package storage

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

func newTestResolver(t *testing.T, endpoint string, m *Metrics) *Resolver {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return NewResolver(u, ResolverOptions{}, nil, m)
}

func TestResolverURLs(t *testing.T) {
	e := &storageEndpoint{handler: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }}
	srv := httptest.NewServer(e)
	defer srv.Close()
	p := &packages.Package{Name: "apache", Version: "1.0.0+build.1"}
	serve := map[string]func(r *Resolver, w http.ResponseWriter, req *http.Request){
		"artifact":  func(r *Resolver, w http.ResponseWriter, req *http.Request) { r.ServeArtifact(w, req, p) },
		"signature": func(r *Resolver, w http.ResponseWriter, req *http.Request) { r.ServeSignature(w, req, p) },
		"static":    func(r *Resolver, w http.ResponseWriter, req *http.Request) { r.ServeStatic(w, req, p, "img/a b%.png") },
		"reserved": func(r *Resolver, w http.ResponseWriter, req *http.Request) {
			r.ServeStatic(w, req, p, "docs/a;b,c=d&e+f:g@h$i~.md")
		},
		"escaped": func(r *Resolver, w http.ResponseWriter, req *http.Request) {
			r.ServeStatic(w, req, p, "docs/q?x#y%z [1]'(2)*!.md")
		},
		"traversal": func(r *Resolver, w http.ResponseWriter, req *http.Request) {
			r.ServeStatic(w, req, p, "../../x/../docs/")
		},
	}
	cases := []struct {
		endpoint, kind, wantURI string
	}{
		{"/", "artifact", "/artifacts/packages/apache-1.0.0+build.1.zip"},
		{"/", "signature", "/artifacts/packages/apache-1.0.0+build.1.zip.sig"},
		{"/", "static", "/artifacts/static/apache-1.0.0+build.1/img/a%20b%25.png"},
		{"/", "traversal", "/artifacts/static/apache-1.0.0+build.1/docs/"},
		// Reserved characters a path may hold go out as they are, the
		// others escaped, as net/url escapes a whole path.
		{"/", "reserved", "/artifacts/static/apache-1.0.0+build.1/docs/a;b,c=d&e+f:g@h$i~.md"},
		{"/", "escaped", "/artifacts/static/apache-1.0.0+build.1/docs/q%3Fx%23y%25z%20%5B1%5D%27%282%29%2A%21.md"},
		// An endpoint path with its own escaping keeps it.
		{"/a%2Fb/", "reserved", "/a%2Fb/artifacts/static/apache-1.0.0+build.1/docs/a;b,c=d&e+f:g@h$i~.md"},
		// RFC 3986 resolution: the endpoint's path is kept only with a
		// trailing slash, and its query is dropped.
		{"/base/", "artifact", "/base/artifacts/packages/apache-1.0.0+build.1.zip"},
		{"/base", "artifact", "/artifacts/packages/apache-1.0.0+build.1.zip"},
		{"/a/b/?q=1", "static", "/a/b/artifacts/static/apache-1.0.0+build.1/img/a%20b%25.png"},
	}
	for _, c := range cases {
		t.Run(c.endpoint+" "+c.kind, func(t *testing.T) {
			r := newTestResolver(t, srv.URL+c.endpoint, nil)
			rec := httptest.NewRecorder()
			serve[c.kind](r, rec, httptest.NewRequest(http.MethodGet, "/whatever", nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if got := e.last().RequestURI; got != c.wantURI {
				t.Errorf("requested %s, want %s", got, c.wantURI)
			}
		})
	}
}

// Only the method reaches the endpoint; status, body and four headers come
// back, without overriding what the handler already set.
func TestResolverPassThrough(t *testing.T) {
	e := &storageEndpoint{handler: func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/zip")
		h.Set("Last-Modified", "Fri, 01 Mar 2024 10:00:00 GMT")
		h.Set("Date", "Sat, 02 Mar 2024 10:00:00 GMT")
		h.Set("Cache-Control", "private, max-age=1")
		h.Set("ETag", `"abc"`)
		h.Set("Accept-Ranges", "bytes")
		h.Set("X-Goog-Generation", "17")
		switch r.URL.Path {
		case "/artifacts/packages/missing-1.0.0.zip":
			h.Set("Content-Type", "application/xml; charset=UTF-8")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "<Error><Code>NoSuchKey</Code></Error>")
		case "/artifacts/packages/down-1.0.0.zip":
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			io.WriteString(w, "zip bytes")
		}
	}}
	srv := httptest.NewServer(e)
	defer srv.Close()
	m := &countingMetrics{}
	r := newTestResolver(t, srv.URL+"/", m.hooks())

	cases := []struct {
		name       string
		method     string
		pkg        string
		preset     http.Header
		wantStatus int
		wantBody   string
		wantHeader http.Header
	}{
		{
			name: "GET", method: http.MethodGet, pkg: "apache", wantStatus: 200, wantBody: "zip bytes",
			wantHeader: http.Header{
				"Content-Type":   {"application/zip"},
				"Content-Length": {"9"},
				"Last-Modified":  {"Fri, 01 Mar 2024 10:00:00 GMT"},
				"Date":           {"Sat, 02 Mar 2024 10:00:00 GMT"},
			},
		},
		{
			name: "handler headers win", method: http.MethodGet, pkg: "apache", wantStatus: 200, wantBody: "zip bytes",
			preset: http.Header{"Cache-Control": {"max-age=600", "public"}, "Content-Type": {"text/plain"}},
			wantHeader: http.Header{
				"Cache-Control":  {"max-age=600", "public"},
				"Content-Type":   {"text/plain"},
				"Content-Length": {"9"},
				"Last-Modified":  {"Fri, 01 Mar 2024 10:00:00 GMT"},
				"Date":           {"Sat, 02 Mar 2024 10:00:00 GMT"},
			},
		},
		{
			name: "HEAD", method: http.MethodHead, pkg: "apache", wantStatus: 200, wantBody: "",
			wantHeader: http.Header{
				"Content-Type":   {"application/zip"},
				"Content-Length": {"9"},
				"Last-Modified":  {"Fri, 01 Mar 2024 10:00:00 GMT"},
				"Date":           {"Sat, 02 Mar 2024 10:00:00 GMT"},
			},
		},
		{
			name: "upstream 404", method: http.MethodGet, pkg: "missing", wantStatus: 404,
			wantBody: "<Error><Code>NoSuchKey</Code></Error>",
			wantHeader: http.Header{
				"Content-Type":   {"application/xml; charset=UTF-8"},
				"Content-Length": {"37"},
				"Last-Modified":  {"Fri, 01 Mar 2024 10:00:00 GMT"},
				"Date":           {"Sat, 02 Mar 2024 10:00:00 GMT"},
			},
		},
		{
			name: "upstream 503", method: http.MethodGet, pkg: "down", wantStatus: 503, wantBody: "",
			wantHeader: http.Header{
				"Content-Type":   {"application/zip"},
				"Content-Length": {"0"},
				"Last-Modified":  {"Fri, 01 Mar 2024 10:00:00 GMT"},
				"Date":           {"Sat, 02 Mar 2024 10:00:00 GMT"},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, "/epr/x/x.zip", strings.NewReader("request body"))
			req.Header.Set("Range", "bytes=0-3")
			req.Header.Set("If-Modified-Since", "Fri, 01 Mar 2030 10:00:00 GMT")
			req.Header.Set("Authorization", "Bearer secret")
			req.Header.Set("User-Agent", "Kibana")
			rec := httptest.NewRecorder()
			for k, v := range c.preset {
				rec.Header()[k] = v
			}
			r.ServeArtifact(rec, req, &packages.Package{Name: c.pkg, Version: "1.0.0"})
			if rec.Code != c.wantStatus || rec.Body.String() != c.wantBody {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), c.wantStatus, c.wantBody)
			}
			if !equalHeaders(rec.Header(), c.wantHeader) {
				t.Errorf("headers %v\nwant    %v", rec.Header(), c.wantHeader)
			}
			got := e.last()
			if got.Method != c.method || got.ContentLength != 0 {
				t.Errorf("forwarded %s with %d body bytes", got.Method, got.ContentLength)
			}
			for _, h := range []string{"Range", "If-Modified-Since", "Authorization"} {
				if got.Header.Get(h) != "" {
					t.Errorf("client header %s forwarded", h)
				}
			}
			if ua := got.Header.Get("User-Agent"); ua != "Go-http-client/1.1" {
				t.Errorf("User-Agent %q", ua)
			}
		})
	}
	if len(m.remote) != len(cases) || m.remote[0] != "artifacts" {
		t.Errorf("remote request hook: %v", m.remote)
	}
}

// Only GET and HEAD reach the storage endpoint. Any other method, sent by
// a real client to a real server, is relayed as GET, without its body, and
// answers exactly what GET answers, as every method does for local
// packages; HEAD stays HEAD.
func TestResolverRelaysOnlyGetAndHead(t *testing.T) {
	e := &storageEndpoint{handler: func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/markdown")
		w.Header().Set("Last-Modified", "Fri, 01 Mar 2024 10:00:00 GMT")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// What a writable endpoint would do with the method.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		io.WriteString(w, "# README "+string(b))
	}}
	endpoint := httptest.NewServer(e)
	defer endpoint.Close()
	m := &countingMetrics{}
	r := newTestResolver(t, endpoint.URL+"/", m.hooks())
	p := &packages.Package{Name: "a", Version: "1.0.0"}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header()["Cache-Control"] = []string{"max-age=600", "public"}
		r.ServeStatic(w, req, p, "docs/README.md")
	}))
	defer front.Close()

	answer := func(method string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest(method, front.URL+"/package/a/1.0.0/docs/README.md", strings.NewReader("payload"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body strings.Builder
		_, err = io.Copy(&body, resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		resp.Header.Del("Date")
		return resp.StatusCode, resp.Header, body.String()
	}
	getStatus, getHeader, getBody := answer(http.MethodGet)
	if getStatus != http.StatusOK || getBody != "# README " {
		t.Fatalf("GET: %d %q", getStatus, getBody)
	}
	cases := []struct {
		method     string
		wantRelay  string
		wantBody   string
		wantHeader http.Header
	}{
		{http.MethodHead, http.MethodHead, "", getHeader},
		{http.MethodPost, http.MethodGet, getBody, getHeader},
		{http.MethodPut, http.MethodGet, getBody, getHeader},
		{http.MethodPatch, http.MethodGet, getBody, getHeader},
		{http.MethodDelete, http.MethodGet, getBody, getHeader},
		{http.MethodOptions, http.MethodGet, getBody, getHeader},
		{http.MethodTrace, http.MethodGet, getBody, getHeader},
		{"PROPFIND", http.MethodGet, getBody, getHeader},
	}
	for _, c := range cases {
		t.Run(c.method, func(t *testing.T) {
			status, header, body := answer(c.method)
			if status != getStatus || body != c.wantBody || !equalHeaders(header, c.wantHeader) {
				t.Errorf("%s answered %d %q %v\nwant %d %q %v", c.method, status, body, header, getStatus, c.wantBody, c.wantHeader)
			}
			got := e.last()
			if got.Method != c.wantRelay || got.ContentLength != 0 {
				t.Errorf("endpoint got %s with %d body bytes, want %s without a body", got.Method, got.ContentLength, c.wantRelay)
			}
		})
	}
	if len(m.remote) != len(cases)+1 || m.remote[0] != "statics" {
		t.Errorf("remote hook %v", m.remote)
	}
}

// The endpoint's gzip encoding is undone by the client, as Go's default
// transport does for requests it compressed itself.
func TestResolverDecompressesGzip(t *testing.T) {
	e := &storageEndpoint{handler: func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "text/markdown")
		gz := gzip.NewWriter(w)
		io.WriteString(gz, "# README")
		gz.Close()
	}}
	srv := httptest.NewServer(e)
	defer srv.Close()
	r := newTestResolver(t, srv.URL, nil)
	rec := httptest.NewRecorder()
	r.ServeStatic(rec, httptest.NewRequest(http.MethodGet, "/", nil), &packages.Package{Name: "a", Version: "1.0.0"}, "docs/README.md")
	if rec.Body.String() != "# README" || rec.Header().Get("Content-Encoding") != "" || rec.Header().Get("Content-Length") != "" {
		t.Errorf("got %q, headers %v", rec.Body.String(), rec.Header())
	}
}

func TestResolverErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	unreachable := srv.URL + "/"
	srv.Close()
	m := &countingMetrics{}
	r := newTestResolver(t, unreachable, m.hooks())
	p := &packages.Package{Name: "a", Version: "1.0.0"}

	rec := httptest.NewRecorder()
	rec.Header().Add("Cache-Control", "max-age=600")
	r.ServeSignature(rec, httptest.NewRequest(http.MethodGet, "/", nil), p)
	if rec.Code != 500 || rec.Body.String() != "error from package-storage server\n" ||
		rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" || rec.Header().Get("Cache-Control") != "max-age=600" {
		t.Errorf("transport error: %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}

	// A method no request can be built with is relayed as GET like any
	// other: the failure is the endpoint's.
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Method = "BAD METHOD"
	r.ServeArtifact(rec, req, p)
	if rec.Code != 500 || rec.Body.String() != "error from package-storage server\n" {
		t.Errorf("request with a bad method: %d %q", rec.Code, rec.Body.String())
	}
	if len(m.remote) != 0 {
		t.Errorf("failed calls counted: %v", m.remote)
	}
}

func equalHeaders(got, want http.Header) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if !sameStrings(got.Values(k), v) {
			return false
		}
	}
	return true
}
