package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
)

// Hostile targets reach the server byte for byte: the client must not
// clean "..", decode %2e or re-encode a backslash or NUL escape.
func TestHostileRequestTargetIsSentAsIs(t *testing.T) {
	got := make(chan [2]string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- [2]string{r.RequestURI, r.Header.Get("Range")}
	}))
	defer srv.Close()
	tests := []hostileReq{
		{target: "/package/a/1.0.0/../../../../etc/passwd"},
		{target: "/package/a/1.0.0/docs/%2e%2e/%2e%2e/etc/passwd"},
		{target: "/package/a/1.0.0/docs/..%5c..%5cmanifest.yml"},
		{target: "/package/a/1.0.0/docs/README.md%00.png", rng: "bytes=abc"},
		{target: "/categories?prerelease=%zz&x=%"},
	}
	for _, h := range tests {
		req, err := newHostileRequest(srv.URL, h)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if g := <-got; g[0] != h.target || g[1] != h.rng {
			t.Errorf("sent %q with Range %q, server saw %q with Range %q", h.target, h.rng, g[0], g[1])
		}
	}
}

func TestTreeURLPath(t *testing.T) {
	tr := &tree{}
	dir := filepath.Join("tmp", "packages", "dirs", "pkg0001_web", "1.2.3")
	if got, want := tr.urlPath(dir, "docs/fifo.md"), "/package/pkg0001_web/1.2.3/docs/fifo.md"; got != want {
		t.Errorf("urlPath = %q, want %q", got, want)
	}
}
