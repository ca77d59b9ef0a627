package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/mux"
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

// stalledBody is larger than what loopback socket buffers absorb, so a
// client that stops reading really blocks the server's writes.
const stalledBody = 48 << 20

// stallHandlers produce the same large body in the two ways handlers
// write: plain Write calls (JSON, streamed zips) and http.ServeContent on a
// file (zip packages, static files), which goes through ReadFrom/sendfile.
func stallHandlers(t *testing.T, size int) (map[string]http.Handler, []byte) {
	t.Helper()
	body := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	path := filepath.Join(t.TempDir(), "big.zip")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]http.Handler{
		"write": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			for p := body; len(p) > 0; p = p[min(len(p), 3<<20):] {
				if _, err := w.Write(p[:min(len(p), 3<<20)]); err != nil {
					return
				}
			}
		}),
		"servecontent": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f, err := os.Open(path)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			http.ServeContent(w, r, "big.zip", time.Time{}, f)
		}),
	}, body
}

// stallWrappers are the two ways the router gives an answer the
// write-stall deadline: alone (path-cleaning redirects) and with the rest
// of the observation (routes and the not-found handler).
func stallWrappers(t *testing.T, d time.Duration) map[string]func(http.Handler) http.Handler {
	t.Helper()
	opts := defaultOptions(listIndexer{})
	opts.WriteStallTimeout = d
	s, err := newServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]func(http.Handler) http.Handler{
		"alone":   func(h http.Handler) http.Handler { return withWriteStallTimeout(h, d) },
		"observe": func(h http.Handler) http.Handler { return s.observe(h, true) },
	}
}

// TestWriteStallTimeoutKeepsSlowDownloads: a client that reads slowly but
// steadily gets the whole body even though the download takes several
// times the stall timeout.
func TestWriteStallTimeoutKeepsSlowDownloads(t *testing.T) {
	handlers, body := stallHandlers(t, 8<<20)
	want := sha256.Sum256(body)
	const stall = time.Second
	for wrapName, wrap := range stallWrappers(t, stall) {
		for name, h := range handlers {
			t.Run(wrapName+"/"+name, func(t *testing.T) {
				srv := httptest.NewServer(wrap(h))
				defer srv.Close()
				resp, err := http.Get(srv.URL)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				start := time.Now()
				hash := sha256.New()
				// About 2.5 MB/s: far above the stall threshold, yet the
				// download lasts several stall timeouts.
				buf := make([]byte, 256<<10)
				for {
					n, err := io.ReadFull(resp.Body, buf)
					hash.Write(buf[:n])
					if err == io.EOF || err == io.ErrUnexpectedEOF && n > 0 {
						break
					}
					if err != nil {
						t.Fatalf("download cut after %v: %v", time.Since(start), err)
					}
					time.Sleep(stall / 10)
				}
				if got := hash.Sum(nil); !bytes.Equal(got, want[:]) {
					t.Fatal("body differs")
				}
				if time.Since(start) < 2*stall {
					t.Logf("download took only %v; the slow path was not exercised", time.Since(start))
				}
			})
		}
	}
}

// TestWriteStallTimeoutDropsStalledClients: a client that stops reading
// makes the server's write fail instead of blocking forever.
func TestWriteStallTimeoutDropsStalledClients(t *testing.T) {
	handlers, _ := stallHandlers(t, stalledBody)
	for wrapName, wrap := range stallWrappers(t, 300*time.Millisecond) {
		for name, h := range handlers {
			t.Run(wrapName+"/"+name, func(t *testing.T) {
				finished := make(chan struct{})
				wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					defer close(finished)
					h.ServeHTTP(w, r)
				})
				srv := httptest.NewServer(wrap(wrapped))
				defer srv.Close()

				conn, err := net.Dial("tcp", srv.Listener.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
					t.Fatal(err)
				}
				// Never read: the handler must still end.
				select {
				case <-finished:
				case <-time.After(30 * time.Second):
					t.Fatal("handler still blocked on a client that does not read")
				}
			})
		}
	}
}

// TestStallWriterKeepsWriterFeatures: the wrapped writer keeps the optional
// interfaces of net/http's: Flush (streamed zips), ReadFrom (sendfile for
// files) and Unwrap (http.ResponseController); and range requests, which
// go through ServeContent's LimitedReader unwrapping, stay exact.
func TestStallWriterKeepsWriterFeatures(t *testing.T) {
	handlers, body := stallHandlers(t, 4<<20)
	for wrapName, wrap := range stallWrappers(t, time.Minute) {
		t.Run(wrapName, func(t *testing.T) {
			features := make(chan string, 3)
			inspect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, ok := w.(http.Flusher); !ok {
					features <- "Flusher lost: streamed zips could not flush"
				}
				if _, ok := w.(io.ReaderFrom); !ok {
					features <- "ReaderFrom lost: files would not use sendfile"
				}
				if _, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok {
					features <- "Unwrap lost: http.ResponseController could not reach the connection"
				}
				close(features)
			})
			srv := httptest.NewServer(wrap(inspect))
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			srv.Close()
			for lost := range features {
				t.Error(lost)
			}

			srv = httptest.NewServer(wrap(handlers["servecontent"]))
			defer srv.Close()
			resp, got := do(t, srv, "", "/", map[string]string{"Range": "bytes=1000-3000999"})
			if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, body[1000:3001000]) {
				t.Errorf("range: status %d, %d bytes", resp.StatusCode, len(got))
			}
		})
	}
}

// deadlineRecorder is an httptest recorder that records the write
// deadlines set through http.ResponseController.
type deadlineRecorder struct {
	*httptest.ResponseRecorder
	deadlines []time.Time
}

func (d *deadlineRecorder) SetWriteDeadline(t time.Time) error {
	d.deadlines = append(d.deadlines, t)
	return nil
}

// TestRouterAppliesWriteStallTimeout: every kind of answer the router
// gives gets the deadline, the path-cleaning redirects that no route
// observes included, renewed at most every quarter of the timeout; none
// without the option.
func TestRouterAppliesWriteStallTimeout(t *testing.T) {
	const stall = time.Hour
	targets := []struct {
		target string
		status int
	}{
		{"/search", 200},
		{"/search/", 301},
		{"/nope", 404},
		{"//search", 301},
		{"/package/alpha/1.0.0/manifest.yml", 200},
	}
	for _, timeout := range []time.Duration{stall, 0} {
		opts := defaultOptions(listIndexer{newFixture(t).pkgs})
		opts.WriteStallTimeout = timeout
		h, err := NewRouter(opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range targets {
			w := &deadlineRecorder{ResponseRecorder: httptest.NewRecorder()}
			before := time.Now()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, c.target, nil))
			if w.Code != c.status {
				t.Fatalf("%s: status %d, want %d", c.target, w.Code, c.status)
			}
			switch {
			case timeout == 0 && len(w.deadlines) != 0:
				t.Errorf("%s: deadlines %v without a stall timeout", c.target, w.deadlines)
			case timeout == 0:
			case len(w.deadlines) != 1:
				// A small answer is written well within stall/4.
				t.Errorf("%s: %d deadlines set, want 1", c.target, len(w.deadlines))
			case w.deadlines[0].Before(before.Add(stall)) || w.deadlines[0].After(time.Now().Add(stall)):
				t.Errorf("%s: deadline %v, want about now + %v", c.target, w.deadlines[0], stall)
			}
		}
	}
}

// TestRedirectsToCleanPathAgreesWithMux: the router's guess of which
// requests mux answers with its path-cleaning redirect (those get the
// write-stall deadline on their own) is mux's answer, path by path.
func TestRedirectsToCleanPathAgreesWithMux(t *testing.T) {
	bare := mux.NewRouter() // no routes: a 301 can only be path cleaning
	for _, p := range []string{
		"/", "/search", "/search/", "//search", "/a//b", "/a/./b", "/a/../b", "/a/b/..",
		"/a/b/.", "/a/b/./", "/package/a/1.0.0/", "/package/a/1.0.0//", "/..", "/.", "*", "",
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.Path = p
		bare.ServeHTTP(w, r)
		if got, want := redirectsToCleanPath(p), w.Code == http.StatusMovedPermanently; got != want {
			t.Errorf("%q: redirectsToCleanPath %v, mux answered %d", p, got, w.Code)
		}
	}
	if n := testing.AllocsPerRun(100, func() { redirectsToCleanPath("/package/a/1.0.0/") }); n != 0 {
		t.Errorf("%v allocations for a clean path", n)
	}
}
