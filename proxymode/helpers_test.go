package proxymode

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// reply is one answer of the fake remote registry.
type reply struct {
	status      int
	contentType string // "-" means no Content-Type header at all
	headers     map[string]string
	file        string // under testdata/
	body        string // used when file is empty
}

// seen is what the fake remote registry received.
type seen struct {
	method      string
	path        string
	escapedPath string
	rawQuery    string
	header      http.Header
}

// fakeRemote is a remote registry on a real listener. Each request to a path
// takes the next reply of that path; the last one repeats.
type fakeRemote struct {
	t   *testing.T
	srv *httptest.Server

	mu     sync.Mutex
	routes map[string][]reply
	served map[string]int
	got    []seen
}

func newFakeRemote(t *testing.T, routes map[string][]reply) *fakeRemote {
	t.Helper()
	f := &fakeRemote{t: t, routes: routes, served: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeRemote) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.got = append(f.got, seen{
		method:      r.Method,
		path:        r.URL.Path,
		escapedPath: r.URL.EscapedPath(),
		rawQuery:    r.URL.RawQuery,
		header:      r.Header.Clone(),
	})
	replies, ok := f.routes[r.URL.Path]
	n := f.served[r.URL.Path]
	f.served[r.URL.Path]++
	f.mu.Unlock()

	if !ok {
		http.NotFound(w, r)
		return
	}
	rep := replies[min(n, len(replies)-1)]
	body := []byte(rep.body)
	if rep.file != "" {
		b, err := os.ReadFile(filepath.Join("testdata", rep.file))
		if err != nil {
			f.t.Errorf("fake remote: %v", err)
		}
		body = b
	}
	switch rep.contentType {
	case "":
		w.Header().Set("Content-Type", "application/json")
	case "-":
		w.Header()["Content-Type"] = nil // keeps net/http from sniffing one
	default:
		w.Header().Set("Content-Type", rep.contentType)
	}
	for k, v := range rep.headers {
		w.Header().Set(k, v)
	}
	status := rep.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// requests returns what the remote received so far.
func (f *fakeRemote) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.got...)
}

// sleepRecorder replaces the real back-off timer: it records the waits and
// returns at once, so retries are checked without waiting.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// testClient is a Client with a recorded back-off and observed logs.
type testClient struct {
	*Client
	sleeps *sleepRecorder
	logs   *observer.ObservedLogs
}

func newTestClient(t *testing.T, proxyTo string, opts Options) testClient {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	sleeps := &sleepRecorder{}
	opts.Logger = zap.New(core)
	opts.Sleep = sleeps.sleep
	c, err := New(proxyTo, opts)
	if err != nil {
		t.Fatalf("New(%q): %v", proxyTo, err)
	}
	return testClient{Client: c, sleeps: sleeps, logs: logs}
}

// incoming is a request as the registry's handlers receive it.
func incoming(method, target string) *http.Request {
	return httptest.NewRequest(method, target, nil)
}

func secondsList(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, s := range n {
		out[i] = time.Duration(s) * time.Second
	}
	return out
}

func mustVersion(t *testing.T, v string) *semver.Version {
	t.Helper()
	sv, err := semver.NewVersion(v)
	if err != nil {
		t.Fatal(err)
	}
	return sv
}
