package server

import (
	"context"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

func TestAccessLog(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	opts := defaultOptions(listIndexer{newFixture(t).pkgs})
	opts.Logger = zap.New(core)
	srv := startServer(t, opts)

	for _, target := range []string{
		"/health",             // not logged: exact request-URI
		"/health?ready=true",  // logged
		"/nope",               // unknown path: not logged
		"//search",            // path cleaning: not logged
		"/search/",            // StrictSlash redirect: logged
		"/search?package=zzz", // logged with its query
	} {
		do(t, srv, "", target, map[string]string{"User-Agent": "epr-test", "Referer": "https://kibana.example/app"})
	}

	var lines []observer.LoggedEntry
	for _, e := range logs.All() {
		if e.LoggerName == "http" {
			lines = append(lines, e)
		}
	}
	want := []struct {
		message string
		status  int64
		bytes   int64
	}{
		{"GET /health HTTP/1.1", 200, 0},
		{"GET /search/ HTTP/1.1", 301, 42},
		{"GET /search HTTP/1.1", 200, 2},
	}
	if len(lines) != len(want) {
		for _, l := range lines {
			t.Log(l.Message)
		}
		t.Fatalf("%d access-log lines, want %d", len(lines), len(want))
	}
	for i, w := range want {
		l := lines[i]
		fields := l.ContextMap()
		if l.Level != zapcore.InfoLevel || l.Message != w.message {
			t.Errorf("line %d: %v %q, want info %q", i, l.Level, l.Message, w.message)
		}
		if fields["http.response.code"] != w.status || fields["http.response.body.bytes"] != w.bytes {
			t.Errorf("line %d: code %v, bytes %v; want %d, %d", i, fields["http.response.code"], fields["http.response.body.bytes"], w.status, w.bytes)
		}
		if fields["user_agent.original"] != "epr-test" || fields["http.request.referer"] != "https://kibana.example/app" ||
			fields["source.ip"] != "127.0.0.1" {
			t.Errorf("line %d: fields %v", i, fields)
		}
	}
	if q := lines[2].ContextMap()["url.query"]; q != "package=zzz" {
		t.Errorf("url.query = %v", q)
	}
	if q, ok := lines[0].ContextMap()["url.query"]; !ok || q != "ready=true" {
		t.Errorf("url.query = %v", q)
	}
}

// panickyIndexer panics on every Get.
type panickyIndexer struct{}

func (panickyIndexer) Init(context.Context) error  { return nil }
func (panickyIndexer) Close(context.Context) error { return nil }
func (panickyIndexer) Get(context.Context, *indexer.GetOptions) (packages.Packages, error) {
	panic("indexer bug")
}

func TestPanicsBecome500(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	opts := defaultOptions(panickyIndexer{})
	opts.Logger = zap.New(core)
	srv := startServer(t, opts)
	internal := plainError(absent, true)
	runCases(t, srv, []httpCase{
		{name: "search", target: "/search", status: 500, headers: internal, body: "internal server error\n"},
		{name: "static", target: "/package/alpha/1.0.0/manifest.yml", status: 500, headers: internal, body: "internal server error\n"},
		{name: "still serving", target: "/health", status: 200},
	})
	if logs.FilterMessage("panic serving request").Len() != 2 {
		t.Errorf("panics logged %d times, want 2", logs.FilterMessage("panic serving request").Len())
	}
	if n := logs.FilterLoggerName("http").FilterField(zap.Int("http.response.code", 500)).Len(); n != 2 {
		t.Errorf("%d access-log lines with status 500, want 2", n)
	}
}

func TestHooks(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var templates []string
	counts := map[string]int{}
	opts := defaultOptions(listIndexer{f.pkgs})
	opts.Instrument = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			templates = append(templates, RouteTemplate(r))
			mu.Unlock()
			// Metrics run inside CORS.
			if w.Header().Get("Access-Control-Allow-Origin") != "*" {
				t.Error("instrumentation ran before CORS")
			}
			next.ServeHTTP(w, r)
		})
	}
	opts.CountStorageRequest = func(location, component string) {
		mu.Lock()
		counts[location+"/"+component]++
		mu.Unlock()
	}
	srv := startServer(t, opts)
	for _, target := range []string{
		"/", "/index.json", "/search/", "/categories", "/health", "/favicon.ico",
		"/epr/alpha/alpha-1.0.0.zip", "/epr/alpha/alpha-1.0.0.zip.sig", "/package/alpha/1.0.0/",
		"/package/alpha/1.0.0/manifest.yml",
		"/nope",                                // unmatched: no instrumentation
		"/epr/alpha/alpha-2.0.0-beta1.zip.sig", // signature missing: still counted
		"/package/alpha/1.0.0/missing.txt",     // static not served: not counted
		"/package/missing/1.0.0/manifest.yml",  // unknown package: not counted
		"/epr/gamma/gamma-1.2.0.zip",           // zip artifact
	} {
		do(t, srv, "", target, nil)
	}
	wantTemplates := []string{
		RouteIndex, RouteIndexJSON, RouteSearch, RouteCategories, RouteHealth, RouteFavicon,
		RouteArtifact, RouteSignature, RoutePackageIndex, RouteStatic,
		RouteSignature, RouteStatic, RouteStatic, RouteArtifact,
	}
	if !equalStrings(templates, wantTemplates) {
		t.Errorf("templates:\n got %q\nwant %q", templates, wantTemplates)
	}
	wantCounts := map[string]int{"local/artifacts": 2, "local/signatures": 2, "local/statics": 1}
	if !maps.Equal(counts, wantCounts) {
		t.Errorf("counts %v, want %v", counts, wantCounts)
	}
}

func TestRouteTemplatesMatchSpec(t *testing.T) {
	// The metrics `path` labels are upstream's templates, byte for byte:
	// dashboards and alerts select on them.
	want := []string{
		"/", "/index.json", "/search", "/categories", "/health", "/favicon.ico",
		"/epr/{packageName}/{packageName:[a-z0-9_]+}-{packageVersion}.zip",
		"/epr/{packageName}/{packageName:[a-z0-9_]+}-{packageVersion}.zip.sig",
		"/package/{packageName:[a-z0-9_]+}/{packageVersion}/",
		"/package/{packageName}/{packageVersion}/{name:.*}",
	}
	got := []string{RouteIndex, RouteIndexJSON, RouteSearch, RouteCategories, RouteHealth, RouteFavicon,
		RouteArtifact, RouteSignature, RoutePackageIndex, RouteStatic}
	if !equalStrings(got, want) {
		t.Errorf("templates %q", got)
	}
}

// mux asks the middleware for every request; the chains of the routes are
// built once, and only its StrictSlash redirects get a chain per request.
func TestMiddlewareBuiltOncePerRoute(t *testing.T) {
	f := newFixture(t)
	var built atomic.Int64
	opts := defaultOptions(listIndexer{f.pkgs})
	opts.Instrument = func(next http.Handler) http.Handler {
		built.Add(1)
		return next
	}
	srv := startServer(t, opts)
	routes := built.Load()
	if routes != 10 {
		t.Errorf("%d chains built at start, want one per route (10)", routes)
	}
	for range 50 {
		do(t, srv, "", "/search", nil)
		do(t, srv, "", "/package/alpha/1.0.0/", nil)
	}
	if n := built.Load(); n != routes {
		t.Errorf("%d more chains built for 100 requests, want none", n-routes)
	}
	resp, _ := do(t, srv, "", "/search/", nil)
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("StrictSlash redirect: %d, CORS %q; want 301 with CORS", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	if n := built.Load(); n != routes+1 {
		t.Errorf("redirect: %d chains built, want 1", n-routes)
	}
}
