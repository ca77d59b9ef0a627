package proxymode

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestRetries(t *testing.T) {
	// The clock only matters for Retry-After dates.
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	json := reply{file: "package-foo-1.0.0.json"}
	retryAfter := func(status int, v string) reply {
		return reply{status: status, contentType: "text/plain", headers: map[string]string{"Retry-After": v}, body: "busy"}
	}

	cases := []struct {
		name     string
		replies  []reply
		wantErr  string
		attempts int
		waits    []time.Duration
	}{
		{"500 until giving up", []reply{{status: 500, body: "boom"}}, "giving up after 5 attempt(s)", 5, secondsList(1, 2, 4, 8)},
		{"502 503 504 then 500", []reply{{status: 502}, {status: 503}, {status: 504}, {status: 500}}, "giving up after 5 attempt(s)", 5, secondsList(1, 2, 4, 8)},
		{"599 is retried", []reply{{status: 599}, json}, "", 2, secondsList(1)},
		{"501 is not retried", []reply{{status: 501, body: "[]"}, json}, "remote registry answered 501", 1, nil},
		{"500 then success", []reply{{status: 500}, {status: 500}, json}, "", 3, secondsList(1, 2)},
		{"429 then success", []reply{{status: 429}, json}, "", 2, secondsList(1)},
		{"429 Retry-After seconds", []reply{retryAfter(429, "3"), json}, "", 2, secondsList(3)},
		{"503 Retry-After seconds", []reply{retryAfter(503, "7"), retryAfter(503, "20"), json}, "", 3, secondsList(7, 20)},
		{"429 Retry-After date", []reply{retryAfter(429, now.Add(30*time.Second).Format(http.TimeFormat)), json}, "", 2, secondsList(30)},
		{"503 Retry-After date in the past", []reply{retryAfter(503, now.Add(-time.Hour).Format(http.TimeFormat)), json}, "", 2, []time.Duration{0}},
		{"503 Retry-After unreadable", []reply{retryAfter(503, "soon"), retryAfter(503, "-5"), json}, "", 3, secondsList(1, 2)},
		{"500 Retry-After ignored", []reply{retryAfter(500, "7"), json}, "", 2, secondsList(1)},
		{"200 HTML then JSON", []reply{{contentType: "text/html; charset=utf-8", body: "<html>portal</html>"}, json}, "", 2, secondsList(1)},
		{"200 without Content-Type until giving up", []reply{{contentType: "-", body: "{}"}}, "giving up after 5 attempt(s)", 5, secondsList(1, 2, 4, 8)},
		{"204 is a 2xx without JSON", []reply{{status: 204, contentType: "-"}, json}, "", 2, secondsList(1)},
		{"503 with Location is not retried", []reply{{status: 503, headers: map[string]string{"Location": "/elsewhere"}}, json}, "remote registry answered 503", 1, nil},
		{"200 HTML with Location is not retried", []reply{{contentType: "text/html", headers: map[string]string{"Location": "/elsewhere"}, body: "<html>"}, json}, "decoding remote package", 1, nil},
		{"404 is not retried", []reply{{status: 404, contentType: "text/plain"}, json}, "", 1, nil},
		{"400 is not retried", []reply{{status: 400, contentType: "text/plain"}, json}, "remote registry answered 400", 1, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			remote := newFakeRemote(t, map[string][]reply{"/package/foo/1.0.0/": tc.replies})
			c := newTestClient(t, remote.srv.URL, Options{Now: func() time.Time { return now }})
			_, err := c.Package(incoming(http.MethodGet, "/package/foo/1.0.0/"), "foo", "1.0.0")
			checkErr(t, err, tc.wantErr)
			if n := len(remote.requests()); n != tc.attempts {
				t.Errorf("remote asked %d times, want %d", n, tc.attempts)
			}
			if got := c.sleeps.recorded(); !reflect.DeepEqual(got, tc.waits) {
				t.Errorf("waits = %v, want %v", got, tc.waits)
			}
		})
	}
}

func TestSearchRetriesNonJSONSuccess(t *testing.T) {
	remote := newFakeRemote(t, map[string][]reply{
		"/search": {{contentType: "text/html", body: "<html>"}},
	})
	c := newTestClient(t, remote.srv.URL, Options{})
	_, err := c.Search(incoming(http.MethodGet, "/search?package=foo"))
	checkErr(t, err, "GET "+remote.srv.URL+"/search?package=foo giving up after 5 attempt(s)")
	if n := len(remote.requests()); n != 5 {
		t.Errorf("remote asked %d times, want 5", n)
	}
}

func TestConnectionErrorsAreRetried(t *testing.T) {
	remote := newFakeRemote(t, nil)
	dead := remote.srv.URL
	remote.srv.Close() // nothing listens there any more

	c := newTestClient(t, dead+"/", Options{})
	_, err := c.Search(incoming(http.MethodGet, "/search?all=true"))
	checkErr(t, err, "giving up after 5 attempt(s)")
	checkErr(t, err, "connection refused")
	if got, want := c.sleeps.recorded(), secondsList(1, 2, 4, 8); !reflect.DeepEqual(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}

	failed := c.logs.FilterMessage("request failed").All()
	if len(failed) != 5 {
		t.Errorf("%d 'request failed' lines, want 5", len(failed))
	}
	for _, e := range failed {
		if e.Level != zapcore.ErrorLevel || !strings.Contains(e.ContextMap()["error"].(string), "connection refused") {
			t.Errorf("bad 'request failed' line: %v %v", e.Level, e.ContextMap())
		}
	}

	type retryLine struct {
		request   string
		timeout   int64
		remaining int64
	}
	var got []retryLine
	for _, e := range c.logs.FilterMessage("retrying request").All() {
		m := e.ContextMap()
		got = append(got, retryLine{m["request"].(string), m["timeout"].(int64), m["remaining"].(int64)})
	}
	target := "GET " + dead + "/search?all=true"
	want := []retryLine{
		{target, int64(time.Second), 4},
		{target, int64(2 * time.Second), 3},
		{target, int64(4 * time.Second), 2},
		{target, int64(8 * time.Second), 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("retry lines = %+v, want %+v", got, want)
	}
}

func TestRetryLineNamesTheStatus(t *testing.T) {
	remote := newFakeRemote(t, map[string][]reply{"/categories": {{status: 503}, {body: "[]"}}})
	c := newTestClient(t, remote.srv.URL, Options{})
	if _, err := c.Categories(incoming(http.MethodGet, "/categories")); err != nil {
		t.Fatal(err)
	}
	lines := c.logs.FilterMessage("retrying request").All()
	if len(lines) != 1 {
		t.Fatalf("%d retry lines, want 1", len(lines))
	}
	if got, want := lines[0].ContextMap()["request"], "GET "+remote.srv.URL+"/categories (status: 503)"; got != want {
		t.Errorf("request = %q, want %q", got, want)
	}
}

func TestEmptyProxyToFailsAtOnce(t *testing.T) {
	c := newTestClient(t, "", Options{})
	_, err := c.Search(incoming(http.MethodGet, "/search"))
	checkErr(t, err, "unsupported protocol scheme")
	if waits := c.sleeps.recorded(); len(waits) != 0 {
		t.Errorf("waited %v for an error no retry can fix", waits)
	}
}

func TestCanceledRequestStopsRetrying(t *testing.T) {
	remote := newFakeRemote(t, map[string][]reply{"/search": {{status: 500}}})
	c := newTestClient(t, remote.srv.URL, Options{})

	ctx, cancel := context.WithCancel(context.Background())
	r := incoming(http.MethodGet, "/search").WithContext(ctx)
	// The client goes away during the first wait.
	c.retry.sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}
	_, err := c.Search(r)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if n := len(remote.requests()); n != 1 {
		t.Errorf("remote asked %d times, want 1", n)
	}
}

// TestCanceledRequestStopsLibraryWait: without an injected sleep the wait is
// go-retryablehttp's own timer, and a client that goes away during it ends
// the call at once instead of after the 1 s wait.
func TestCanceledRequestStopsLibraryWait(t *testing.T) {
	remote := newFakeRemote(t, map[string][]reply{"/search": {{status: 500}}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The client goes away as the first retry is announced.
	core, _ := observer.New(zapcore.DebugLevel)
	logger := zap.New(core, zap.Hooks(func(e zapcore.Entry) error {
		if e.Message == "retrying request" {
			cancel()
		}
		return nil
	}))
	c, err := New(remote.srv.URL, Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Search(incoming(http.MethodGet, "/search").WithContext(ctx))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took >= time.Second {
		t.Errorf("took %v: the wait was not cut short", took)
	}
	if n := len(remote.requests()); n != 1 {
		t.Errorf("remote asked %d times, want 1", n)
	}
}

func TestInjectedBackoff(t *testing.T) {
	remote := newFakeRemote(t, map[string][]reply{"/search": {{status: 500}}})
	c := newTestClient(t, remote.srv.URL, Options{Backoff: Backoff{MaxRetries: 2, Min: 3 * time.Millisecond, Max: 5 * time.Millisecond}})
	_, err := c.Search(incoming(http.MethodGet, "/search"))
	checkErr(t, err, "giving up after 3 attempt(s)")
	if got, want := c.sleeps.recorded(), []time.Duration{3 * time.Millisecond, 5 * time.Millisecond}; !reflect.DeepEqual(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

func TestBackoffSchedule(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	def := DefaultBackoff()
	cases := []struct {
		name    string
		b       Backoff
		attempt int
		resp    *http.Response
		want    time.Duration
	}{
		{"first", def, 0, nil, time.Second},
		{"second", def, 1, nil, 2 * time.Second},
		{"third", def, 2, nil, 4 * time.Second},
		{"fourth", def, 3, nil, 8 * time.Second},
		{"capped", def, 4, nil, 15 * time.Second},
		{"still capped", def, 60, nil, 15 * time.Second},
		{"429 seconds", def, 3, withRetryAfter(429, "2"), 2 * time.Second},
		{"503 seconds beyond the cap", def, 0, withRetryAfter(503, "120"), 120 * time.Second},
		{"503 date", def, 0, withRetryAfter(503, "Fri, 02 Jan 2026 03:05:05 GMT"), time.Minute},
		{"500 ignores Retry-After", def, 1, withRetryAfter(500, "9"), 2 * time.Second},
		{"429 empty Retry-After", def, 2, withRetryAfter(429, ""), 4 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.b.wait(tc.attempt, tc.resp, now); got != tc.want {
				t.Errorf("wait = %v, want %v", got, tc.want)
			}
		})
	}
}

func withRetryAfter(status int, v string) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {v}}}
}

func TestDefaultHTTPClient(t *testing.T) {
	c := NewHTTPClient()
	if c.Timeout != 10*time.Second {
		t.Errorf("timeout per attempt = %v, want 10s", c.Timeout)
	}
	first := httptest.NewRequest(http.MethodGet, "https://epr.example.com/search", nil)
	for target, follow := range map[string]bool{
		"https://epr.example.com/search?x=1": true,
		"https://EPR.example.com/mirror":     true,
		"http://epr.example.com/search":      false,
		"https://epr.example.com:8443/":      false,
		"https://other.example.com/search":   false,
	} {
		next := httptest.NewRequest(http.MethodGet, target, nil)
		if err := c.CheckRedirect(next, []*http.Request{first}); (err == nil) != follow {
			t.Errorf("redirect to %s: %v, want followed: %v", target, err, follow)
		}
	}
	tr, ok := c.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T", c.Transport)
	}
	if tr.MaxIdleConns != 100 || tr.IdleConnTimeout != 90*time.Second {
		t.Errorf("pool: %d idle connections, %v idle timeout; want 100, 90s", tr.MaxIdleConns, tr.IdleConnTimeout)
	}
	if tr.DisableKeepAlives {
		t.Errorf("keep-alives disabled: the pool would be useless")
	}
}
