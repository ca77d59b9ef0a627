package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	gcs "cloud.google.com/go/storage"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/api/option"

	"github.com/eprgo/package-registry/packages"
)

const testBucket = "package-storage-test"

// fakeGCS is an in-process fake GCS server listening on loopback, with a
// real GCS client pointed at it.
type fakeGCS struct {
	t      *testing.T
	server *fakestorage.Server
	client *gcs.Client
	root   string
}

func newFakeGCS(t *testing.T, root string) *fakeGCS {
	t.Helper()
	server, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Stop)
	server.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: testBucket})
	client := newClientFor(t, server.URL())
	return &fakeGCS{t: t, server: server, client: client, root: root}
}

func newClientFor(t *testing.T, url string) *gcs.Client {
	t.Helper()
	client, err := gcs.NewClient(context.Background(),
		option.WithEndpoint(url+"/storage/v1/"),
		option.WithoutAuthentication(),
		gcs.WithJSONReads())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// bucketOption is the -storage-indexer-bucket-internal value for the fake.
func (f *fakeGCS) bucketOption() string {
	if f.root == "" {
		return "gs://" + testBucket
	}
	return "gs://" + testBucket + "/" + f.root
}

func (f *fakeGCS) put(name string, content []byte) {
	f.server.CreateObject(fakestorage.Object{
		ObjectAttrs: fakestorage.ObjectAttrs{BucketName: testBucket, Name: filepath.ToSlash(filepath.Join(f.root, name))},
		Content:     content,
	})
}

func (f *fakeGCS) setCursor(c string) {
	f.put("v2/metadata/cursor.json", []byte(`{"current":"`+c+`"}`))
}

// publishIndex uploads testdata/<file> as the full index of rev.
func (f *fakeGCS) publishIndex(rev, file string) {
	f.put("v2/metadata/"+rev+"/search-index-all.json", testdata(f.t, file))
}

// publishDelta uploads testdata/<file> as the delta of rev.
func (f *fakeGCS) publishDelta(rev, file string) {
	f.put("v2/metadata/"+rev+"/search-index-delta.json", testdata(f.t, file))
}

func testdata(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// countingMetrics records every hook call.
type countingMetrics struct {
	mu        sync.Mutex
	succeeded int
	failed    int
	durations int
	indexed   []int
	gets      map[string]int
	remote    []string
}

func (c *countingMetrics) hooks() *Metrics {
	c.gets = map[string]int{}
	return &Metrics{
		UpdateSucceeded: func() { c.mu.Lock(); c.succeeded++; c.mu.Unlock() },
		UpdateFailed:    func() { c.mu.Lock(); c.failed++; c.mu.Unlock() },
		UpdateDuration:  func(time.Duration) { c.mu.Lock(); c.durations++; c.mu.Unlock() },
		IndexedPackages: func(n int) { c.mu.Lock(); c.indexed = append(c.indexed, n); c.mu.Unlock() },
		GetDuration:     func(name string, _ time.Duration) { c.mu.Lock(); c.gets[name]++; c.mu.Unlock() },
		RemoteRequest:   func(comp string) { c.mu.Lock(); c.remote = append(c.remote, comp); c.mu.Unlock() },
	}
}

func (c *countingMetrics) snapshot() (succeeded, failed, durations int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.succeeded, c.failed, c.durations
}

func observedLogger() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zap.DebugLevel)
	return zap.New(core), logs
}

// keys lists name@version of a package list, in order.
func keys(pkgs packages.Packages) []string {
	out := make([]string, 0, len(pkgs))
	for _, p := range pkgs {
		out = append(out, p.Name+"@"+p.Version)
	}
	return out
}

func find(pkgs packages.Packages, name, version string) *packages.Package {
	for _, p := range pkgs {
		if p.Name == name && p.Version == version {
			return p
		}
	}
	return nil
}

// encode is the JSON the registry serves for a value.
func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := packages.MarshalIndentJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// compactJSON normalises whitespace only, keeping key order and escaping.
func compactJSON(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// storageEndpoint is a stand-in for the public package-storage endpoint;
// it records the requests it receives.
type storageEndpoint struct {
	mu       sync.Mutex
	requests []*http.Request
	handler  http.HandlerFunc
}

func (e *storageEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.requests = append(e.requests, r.Clone(context.Background()))
	e.mu.Unlock()
	e.handler(w, r)
}

func (e *storageEndpoint) last() *http.Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.requests) == 0 {
		return nil
	}
	return e.requests[len(e.requests)-1]
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// eventually polls cond until it holds; it fails the test after a generous
// deadline, so that slow machines do not make it flaky.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
