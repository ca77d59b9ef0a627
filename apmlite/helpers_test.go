package apmlite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/apmlite/apmlitetest"
	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/logging"
	"github.com/eprgo/package-registry/server"
)

// lockedBuffer collects log output written by request goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Sync() error { return nil }

// lines are the ECS lines written so far, decoded.
func (b *lockedBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	text := b.buf.String()
	b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("invalid log line %q: %v", l, err)
		}
		m["_raw"] = l
		out = append(out, m)
	}
	return out
}

// newTracer starts a tracer sending to apm with a short flush interval;
// edit adjusts the configuration.
func newTracer(t *testing.T, apm *apmlitetest.Server, edit func(*apmlite.Config)) *apmlite.Tracer {
	t.Helper()
	u, err := url.Parse(apm.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := apmlite.Config{
		ServerURL:      u,
		ServiceName:    "package-registry",
		ServiceVersion: "1.40.1",
		SampleRate:     1,
		FlushInterval:  10 * time.Millisecond,
	}
	if edit != nil {
		edit(&cfg)
	}
	tr, err := apmlite.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

// flush sends what the tracer has queued and waits for the answer.
func flush(t *testing.T, tr *apmlite.Tracer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := tr.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// fsIndexer loads testdata/packages.
func fsIndexer(t *testing.T) indexer.Indexer {
	t.Helper()
	idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{"testdata/packages"}})
	if err := idx.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idx.Close(context.Background()) })
	return idx
}

// registry is the real router, instrumented as main does it.
type registry struct {
	url  string
	logs *lockedBuffer
}

func newRegistry(t *testing.T, tr *apmlite.Tracer, idx indexer.Indexer, proxy server.Proxy) *registry {
	t.Helper()
	logs := &lockedBuffer{}
	logger, err := logging.NewLoggerTo(logs, logging.LogTypeECS, zapcore.DebugLevel, logging.Service{Name: "package-registry"})
	if err != nil {
		t.Fatal(err)
	}
	logger = tr.WrapLogger(logger)
	h, err := server.NewRouter(server.Options{
		Indexer:             idx,
		Logger:              logger,
		CacheTimeIndex:      time.Minute,
		CacheTimeSearch:     time.Minute,
		CacheTimeCategories: time.Minute,
		CacheTimeCatchAll:   time.Minute,
		ServiceName:         "package-registry",
		Proxy:               proxy,
		Tracer:              tr,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &registry{url: srv.URL, logs: logs}
}

// do sends a request without following redirects and returns the status
// and body.
func do(t *testing.T, method, target string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// byName finds the events whose name is name.
func byName(events []map[string]any, name string) []map[string]any {
	var out []map[string]any
	for _, e := range events {
		if e["name"] == name {
			out = append(out, e)
		}
	}
	return out
}

// path reads a nested value: path(m, "context", "request", "method").
func path(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// str is path as a string ("" when absent or not a string, numbers as
// their JSON text).
func str(m map[string]any, keys ...string) string {
	switch v := path(m, keys...).(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return ""
}

// keyOrder is the top-level keys of a JSON object, in document order.
func keyOrder(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// newPlainServer serves h (no router) for the duration of the test.
func newPlainServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func readAll(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
