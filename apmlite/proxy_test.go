package apmlite_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/apmlite/apmlitetest"
	"github.com/eprgo/package-registry/proxymode"
)

// remoteRegistry is the registry proxy mode asks; it records the trace
// headers of each call.
type remoteRegistry struct {
	mu      sync.Mutex
	headers []http.Header
	url     string
}

func newRemoteRegistry(t *testing.T, status int) *remoteRegistry {
	rr := &remoteRegistry{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rr.mu.Lock()
		rr.headers = append(rr.headers, r.Header.Clone())
		rr.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("[]"))
	}))
	t.Cleanup(srv.Close)
	rr.url = srv.URL
	return rr
}

func (rr *remoteRegistry) calls() []http.Header {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return append([]http.Header(nil), rr.headers...)
}

// TestProxyRequestsCarryTraceContext: in proxy mode, the call to the
// remote registry is an exit span of the request's transaction and sends
// traceparent (and tracestate) naming that span, so the remote continues
// the same trace.
func TestProxyRequestsCarryTraceContext(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	tr := newTracer(t, apm, nil)
	remote := newRemoteRegistry(t, http.StatusOK)
	client, err := proxymode.New(remote.url, proxymode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg := newRegistry(t, tr, fsIndexer(t), client)

	if status, body := do(t, "GET", reg.url+"/search?package=apmtest", nil); status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	txs := apm.WaitFor(t, "transaction", func(ev []map[string]any) bool { return len(ev) == 1 })
	spans := apm.WaitFor(t, "span", func(ev []map[string]any) bool { return len(ev) == 1 })
	tx, span := txs[0], spans[0]

	calls := remote.calls()
	if len(calls) != 1 {
		t.Fatalf("%d calls to the remote", len(calls))
	}
	want := "00-" + tx["trace_id"].(string) + "-" + span["id"].(string) + "-01"
	if got := calls[0].Get("Traceparent"); got != want {
		t.Errorf("traceparent %q, want %q", got, want)
	}
	if got := calls[0].Get("Tracestate"); got != "es=s:1" {
		t.Errorf("tracestate %q", got)
	}
	host := strings.TrimPrefix(remote.url, "http://")
	if span["name"] != "GET "+host || span["type"] != "external" || span["subtype"] != "http" || span["outcome"] != "success" {
		t.Errorf("span %v", span)
	}
	if span["parent_id"] != tx["id"] || span["transaction_id"] != tx["id"] || span["trace_id"] != tx["trace_id"] {
		t.Errorf("span not under its transaction: %v / %v", span, tx)
	}
	if str(span, "context", "http", "status_code") != "200" || str(span, "context", "destination", "service", "resource") != host {
		t.Errorf("span context %v", span["context"])
	}
	if got := str(tx, "span_count", "started"); got != "1" {
		t.Errorf("span_count.started %s", got)
	}
}

// TestProxyRequestsWithoutAPM: with APM off the remote gets no trace
// headers.
func TestProxyRequestsWithoutAPM(t *testing.T) {
	remote := newRemoteRegistry(t, http.StatusOK)
	client, err := proxymode.New(remote.url, proxymode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var tr *apmlite.Tracer
	reg := newRegistry(t, tr, fsIndexer(t), client)
	if status, _ := do(t, "GET", reg.url+"/search", http.Header{"Traceparent": {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}); status != 200 {
		t.Fatalf("status %d", status)
	}
	for _, h := range remote.calls() {
		if h.Get("Traceparent") != "" || h.Get("Tracestate") != "" {
			t.Errorf("trace headers sent with APM off: %v", h)
		}
	}
}

// TestClientSpanLimitAndUnsampled: spans over the limit and spans of
// unsampled transactions are not sent, and the traceparent then names the
// transaction itself.
func TestClientSpanLimitAndUnsampled(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	tests := []struct {
		name     string
		rate     float64
		maxSpans int
		sampled  string
	}{
		{"over the span limit", 1, -1, "01"},
		{"unsampled", 0, 0, "00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTracer(t, apm, func(c *apmlite.Config) {
				c.SampleRate = tt.rate
				if tt.maxSpans < 0 {
					c.MaxSpans = 1
				}
			})
			tx := tr.StartTransaction("proxy "+tt.name, apmlite.TypeRequest)
			ctx := apmlite.ContextWithTransaction(t.Context(), tx)
			first := httptest.NewRequestWithContext(ctx, "GET", "http://remote/search", nil)
			second := httptest.NewRequestWithContext(ctx, "GET", "http://remote/search", nil)
			s1 := apmlite.StartClientSpan(first)
			s2 := apmlite.StartClientSpan(second)
			s1.EndHTTP(&http.Response{StatusCode: 503}, nil)
			s2.EndHTTP(nil, http.ErrHandlerTimeout)
			tx.End()
			flush(t, tr)

			if got, want := second.Header.Get("Traceparent"), "00-"+tx.TraceID()+"-"+tx.ID()+"-"+tt.sampled; got != want {
				t.Errorf("unrecorded span: traceparent %q, want %q", got, want)
			}
			txs := byName(apm.Events("transaction"), "proxy "+tt.name)
			if len(txs) != 1 {
				t.Fatalf("transactions %v", txs)
			}
			wantStarted, wantDropped := "0", "0"
			if tt.maxSpans < 0 {
				wantStarted, wantDropped = "1", "1"
				if got := first.Header.Get("Traceparent"); strings.Contains(got, tx.ID()) {
					t.Errorf("recorded span: traceparent %q names the transaction", got)
				}
			}
			if str(txs[0], "span_count", "started") != wantStarted || str(txs[0], "span_count", "dropped") != wantDropped {
				t.Errorf("span_count %v", txs[0]["span_count"])
			}
		})
	}
	spans := apm.Events("span")
	if len(spans) != 1 || spans[0]["outcome"] != "failure" || str(spans[0], "context", "http", "status_code") != "503" {
		t.Errorf("spans %v", spans)
	}
}
