package server

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/eprgo/package-registry/packages"
	"github.com/eprgo/package-registry/proxymode"
)

// proxyPair is a registry in proxy mode in front of another instance of
// this server, through the real proxy-mode client.
type proxyPair struct {
	local, remote *httptest.Server

	mu     sync.Mutex
	counts map[string]int // CountStorageRequest calls of the local server
}

func newProxyPair(t *testing.T) *proxyPair {
	t.Helper()
	f := newFixture(t)
	alphaDir := filepath.Join(f.root, "alpha", "1.0.0")
	remotePkgs := packages.Packages{
		// Newer than the local alpha: wins the newest-version reduction.
		newPackage(t, "alpha", "1.1.0", alphaDir, false, func(p *packages.Package) {
			p.Categories = []string{"web"}
		}),
		// Same name and version as a local package: the local one wins.
		newPackage(t, "gamma", "1.2.0", alphaDir, false, func(p *packages.Package) {
			p.Description = "remote copy"
			p.Categories = []string{"aws"}
		}),
		newPackage(t, "remote_only", "2.0.0", alphaDir, false, func(p *packages.Package) {
			p.Categories = []string{"cloud", "custom_logs"}
		}),
	}
	remote := startServer(t, defaultOptions(listIndexer{remotePkgs}))

	opts := defaultOptions(listIndexer{f.pkgs})
	opts.Proxy = newProxyClient(t, remote.URL+"/ignored/path")
	pp := &proxyPair{remote: remote, counts: map[string]int{}}
	opts.CountStorageRequest = func(location, component string) {
		pp.mu.Lock()
		pp.counts[location+"/"+component]++
		pp.mu.Unlock()
	}
	pp.local = startServer(t, opts)
	return pp
}

// newProxyClient is the real client without waits between retries.
func newProxyClient(t *testing.T, to string) Proxy {
	t.Helper()
	c, err := proxymode.New(to, proxymode.Options{
		Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestProxyMode(t *testing.T) {
	pp := newProxyPair(t)
	redirect := func(location string) map[string][]string {
		return map[string][]string{
			"Location":                    {pp.remote.URL + location},
			"Cache-Control":               public("600"),
			"Access-Control-Allow-Origin": corsHeader,
		}
	}
	runCases(t, pp.local, []httpCase{
		// The remote alpha is newer; the local gamma wins over the remote
		// copy of the same version.
		{name: "search merged", target: "/search", status: 200, golden: "proxy-search.json",
			headers: map[string][]string{"Cache-Control": public("600")},
			fields: []jsonField{{"#", 4}, {"0/name", "alpha"}, {"0/version", "1.1.0"}, {"1/name", "delta"},
				{"2/name", "gamma"}, {"2/description", "Gamma test package"}, {"3/name", "remote_only"}}},
		{name: "search all merged", target: "/search?all=true", status: 200, golden: "proxy-search-all.json",
			fields: []jsonField{{"#", 5}, {"0/version", "1.0.0"}, {"1/version", "1.1.0"}, {"3/description", "Gamma test package"},
				{"4/name", "remote_only"}}},
		// A package on both sides counts twice.
		{name: "categories summed", target: "/categories", status: 200, golden: "proxy-categories.json",
			fields: []jsonField{{"#", 4}, {"0/id", "aws"}, {"0/count", float64(2)}, {"1/id", "cloud"}, {"1/count", float64(1)},
				{"2/id", "custom_logs"}, {"3/id", "web"}, {"3/count", float64(2)}}},
		{name: "remote package document", target: "/package/remote_only/2.0.0/", status: 200, golden: "proxy-package-remote_only.json",
			headers: map[string][]string{"Cache-Control": public("10")},
			fields:  []jsonField{{"name", "remote_only"}, {"version", "2.0.0"}, {"categories/#", 2}}},
		{name: "local package document", target: "/package/gamma/1.2.0/", status: 200, golden: "package-gamma-1.2.0.json"},
		{name: "unknown on both sides", target: "/package/nope/1.0.0/", status: 404,
			headers: plainError(noStoreCache, true), body: "package revision not found\n"},
		{name: "remote artifact", target: "/epr/x/remote_only-2.0.0.zip", status: 301,
			headers: redirect("/epr/package/remote_only-2.0.0.zip"), anyBody: true},
		{name: "remote signature", target: "/epr/x/remote_only-2.0.0.zip.sig", status: 301,
			headers: redirect("/epr/package/remote_only-2.0.0.zip.sig"), anyBody: true},
		{name: "remote static", target: "/package/remote_only/2.0.0/docs/README.md", status: 301,
			headers: redirect("/package/remote_only/2.0.0/docs/README.md"), anyBody: true},
		{name: "unknown artifact", target: "/epr/x/nope-1.0.0.zip", status: 404, body: "artifact not found\n"},
		{name: "local artifact stays local", target: "/epr/x/gamma-1.2.0.zip", status: 200, anyBody: true,
			headers: map[string][]string{"Accept-Ranges": {"bytes"}}},
	})
	want := map[string]int{"remote/artifacts": 1, "remote/signatures": 1, "remote/statics": 1, "local/artifacts": 1}
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if !maps.Equal(pp.counts, want) {
		t.Errorf("storage requests %v, want %v", pp.counts, want)
	}
}

func TestProxyModeRemoteFailure(t *testing.T) {
	calls := 0
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		http.Error(w, "upstream exploded", http.StatusInternalServerError)
	}))
	t.Cleanup(broken.Close)
	core, logs := observer.New(zapcore.InfoLevel)
	opts := defaultOptions(listIndexer{newFixture(t).pkgs})
	opts.Logger = zap.New(core)
	opts.Proxy = newProxyClient(t, broken.URL)
	srv := startServer(t, opts)
	if logs.FilterMessage("Technical preview: Proxy mode is an experimental feature and it may be unstable.").Len() != 1 {
		t.Error("the technical-preview line was not logged once")
	}

	internal := plainError(absent, true)
	runCases(t, srv, []httpCase{
		{name: "search", target: "/search", status: 500, headers: internal, body: "internal server error\n"},
		{name: "categories", target: "/categories", status: 500, headers: internal, body: "internal server error\n"},
		{name: "package", target: "/package/nope/1.0.0/", status: 500, headers: internal, body: "internal server error\n"},
		{name: "artifact", target: "/epr/x/nope-1.0.0.zip", status: 500, headers: internal, body: "internal server error\n"},
		// Invalid queries fail before the remote is asked.
		{name: "invalid query", target: "/search?all=maybe", status: 400, body: "invalid 'all' query param: 'maybe'\n"},
		// Local packages do not need the remote.
		{name: "local package", target: "/package/alpha/1.0.0/", status: 200, golden: "package-alpha-1.0.0.json"},
	})
	if calls == 0 {
		t.Error("the remote registry was never asked")
	}
	for _, what := range []string{"search", "categories", "package"} {
		if n := logs.FilterMessage("proxy mode: " + what + " failed").FilterLevelExact(zapcore.ErrorLevel).Len(); n == 0 {
			t.Errorf("no error line for the failed %s call", what)
		}
	}
}

// TestProxyModeWithCredentials: with user info in -proxy-to, the files of
// remote packages are relayed through the router (the remote registry
// wants the credentials), with the registry's cache and CORS headers and
// the remote's bytes, and no answer carries the credentials.
func TestProxyModeWithCredentials(t *testing.T) {
	f := newFixture(t)
	alphaDir := filepath.Join(f.root, "alpha", "1.0.0")
	remote := startServer(t, defaultOptions(listIndexer{packages.Packages{
		newPackage(t, "remote_only", "2.0.0", alphaDir, false, func(*packages.Package) {}),
	}}))
	remoteURL, err := url.Parse(remote.URL)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(remoteURL)
	guard := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "kibana" || p != "s3cr3t-pw" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(guard.Close)
	opts := defaultOptions(listIndexer{f.pkgs})
	opts.Proxy = newProxyClient(t, strings.Replace(guard.URL, "http://", "http://kibana:s3cr3t-pw@", 1)+"/")
	local := startServer(t, opts)

	readme := "/package/remote_only/2.0.0/docs/README.md"
	_, want := do(t, remote, http.MethodGet, readme, nil)
	relayed := map[string][]string{
		"Cache-Control":               public("600"),
		"Access-Control-Allow-Origin": corsHeader,
		"Content-Type":                {"text/markdown; charset=utf-8"},
		"Content-Length":              {strconv.Itoa(len(want))},
		"Location":                    absent,
	}
	cases := []httpCase{
		{name: "static", target: readme, status: 200, headers: relayed, body: string(want)},
		{name: "static HEAD", method: http.MethodHead, target: readme, status: 200, headers: relayed},
		{name: "static POST answers like GET", method: http.MethodPost, target: readme, status: 200, headers: relayed, body: string(want)},
		{name: "artifact", target: "/epr/x/remote_only-2.0.0.zip", status: 200, prefix: "PK\x03\x04", anyBody: true,
			headers: map[string][]string{"Content-Type": {"application/zip"}, "Cache-Control": public("600"), "Location": absent}},
		{name: "missing file", target: "/package/remote_only/2.0.0/nope", status: 404, body: "resource not found\n",
			headers: map[string][]string{"Cache-Control": public("600")}},
	}
	runCases(t, local, cases)
	for _, c := range cases {
		resp, body := do(t, local, c.method, c.target, nil)
		if answer := fmt.Sprint(resp.Header) + string(body); strings.Contains(answer, "s3cr3t-pw") || strings.Contains(answer, "kibana:") {
			t.Errorf("%s: the answer carries the credentials: %s", c.name, truncate([]byte(answer)))
		}
	}
}
