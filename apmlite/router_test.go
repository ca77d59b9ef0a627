package apmlite_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/apmlite/apmlitetest"
)

// TestRoutedRequestsBecomeTransactions drives the real router: every
// routed request and the not-found handler give one transaction named
// after the route template without its regexps, as upstream's apmgorilla.
func TestRoutedRequestsBecomeTransactions(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	tr := newTracer(t, apm, func(c *apmlite.Config) { c.Environment = "ci" })
	reg := newRegistry(t, tr, fsIndexer(t), nil)

	tests := []struct {
		method, path string
		status       int
		name         string
		result       string
		outcome      string
	}{
		{"GET", "/search?package=apmtest", 200, "GET /search", "HTTP 2xx", "success"},
		{"POST", "/categories", 200, "POST /categories", "HTTP 2xx", "success"},
		{"GET", "/package/apmtest/1.0.0/", 200, "GET /package/{packageName}/{packageVersion}/", "HTTP 2xx", "success"},
		{"GET", "/package/apmtest/9.9.9/", 404, "GET /package/{packageName}/{packageVersion}/", "HTTP 4xx", "success"},
		{"GET", "/package/apmtest/1.0.0/docs/README.md", 200, "GET /package/{packageName}/{packageVersion}/{name}", "HTTP 2xx", "success"},
		{"HEAD", "/epr/apmtest/apmtest-1.0.0.zip", 200, "HEAD /epr/{packageName}/{packageName}-{packageVersion}.zip", "HTTP 2xx", "success"},
		{"GET", "/index.json", 200, "GET /index.json", "HTTP 2xx", "success"},
		// StrictSlash redirect: routed, so named after /search.
		{"PUT", "/search/", 301, "PUT /search", "HTTP 3xx", "success"},
		// The not-found handler is wrapped too.
		{"DELETE", "/no/such/route", 404, "DELETE unknown route", "HTTP 4xx", "success"},
	}
	for _, tt := range tests {
		if status, body := do(t, tt.method, reg.url+tt.path, http.Header{"User-Agent": {"apm-test/" + tt.method}}); status != tt.status {
			t.Fatalf("%s %s: status %d (%s), want %d", tt.method, tt.path, status, body, tt.status)
		}
	}
	txs := apm.WaitFor(t, "transaction", func(ev []map[string]any) bool { return len(ev) >= len(tests) })
	if len(txs) != len(tests) {
		t.Fatalf("got %d transactions, want %d", len(txs), len(tests))
	}
	for i, tt := range tests {
		// One transaction per request, in request order (each request
		// ended before the next started).
		tx := txs[i]
		if tx["name"] != tt.name || tx["type"] != "request" || tx["result"] != tt.result || tx["outcome"] != tt.outcome || tx["sampled"] != true {
			t.Errorf("%s %s: transaction %v; want name %q, type request, result %q, outcome %q", tt.method, tt.path, tx, tt.name, tt.result, tt.outcome)
		}
		if got := str(tx, "context", "request", "method"); got != tt.method {
			t.Errorf("%s %s: context.request.method %q", tt.method, tt.path, got)
		}
		wantPath, wantQuery, _ := strings.Cut(tt.path, "?")
		if got := str(tx, "context", "request", "url", "pathname"); got != wantPath {
			t.Errorf("%s %s: url.pathname %q", tt.method, tt.path, got)
		}
		if got := str(tx, "context", "request", "url", "search"); got != wantQuery {
			t.Errorf("%s %s: url.search %q", tt.method, tt.path, got)
		}
		if got := str(tx, "context", "request", "headers", "User-Agent"); got != "apm-test/"+tt.method {
			t.Errorf("%s %s: User-Agent %q", tt.method, tt.path, got)
		}
		if got := str(tx, "context", "response", "status_code"); got != strconv.Itoa(tt.status) {
			t.Errorf("%s %s: response.status_code %s, want %d", tt.method, tt.path, got, tt.status)
		}
		if _, ok := tx["parent_id"]; ok {
			t.Errorf("%s %s: a request without traceparent has parent_id %v", tt.method, tt.path, tx["parent_id"])
		}
	}

	reqs := apm.Requests()
	md := reqs[0].Metadata
	for _, c := range []struct{ keys, want string }{
		{"service.name", "package-registry"},
		{"service.version", "1.40.1"},
		{"service.environment", "ci"},
		{"service.agent.name", apmlite.AgentName},
		{"service.language.name", "go"},
	} {
		if got := str(md, strings.Split(c.keys, ".")...); got != c.want {
			t.Errorf("metadata %s = %q, want %q", c.keys, got, c.want)
		}
	}
	if str(md, "process", "pid") == "" || str(md, "system", "architecture") == "" {
		t.Errorf("metadata without process or system: %v", md)
	}
	for _, r := range reqs {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("Authorization sent without a token: %q", r.Header.Get("Authorization"))
		}
	}
	if p := apm.Problems(); len(p) > 0 {
		t.Errorf("rejected intake requests: %v", p)
	}
}

// TestTraceContinuation: an incoming W3C traceparent makes the
// transaction part of the caller's trace, with the caller's sampling
// decision; an invalid one starts a new trace.
func TestTraceContinuation(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	tr := newTracer(t, apm, nil)
	reg := newRegistry(t, tr, fsIndexer(t), nil)

	const traceID = "0af7651916cd43dd8448eb211c80319c"
	tests := []struct {
		name       string
		header     http.Header
		wantTrace  string // "" means a new trace
		wantParent string
		sampled    bool
		rate       string
	}{
		{
			name:       "sampled, rate in tracestate",
			header:     http.Header{"Traceparent": {"00-" + traceID + "-b7ad6b7169203331-01"}, "Tracestate": {"es=s:0.5,other=x"}},
			wantTrace:  traceID,
			wantParent: "b7ad6b7169203331",
			sampled:    true,
			rate:       "0.5",
		},
		{
			name:       "not sampled",
			header:     http.Header{"Traceparent": {"00-" + traceID + "-00f067aa0ba902b7-00"}},
			wantTrace:  traceID,
			wantParent: "00f067aa0ba902b7",
			sampled:    false,
			rate:       "0",
		},
		{
			name:       "legacy Elastic header",
			header:     http.Header{"Elastic-Apm-Traceparent": {"00-" + traceID + "-1111111111111111-01"}},
			wantTrace:  traceID,
			wantParent: "1111111111111111",
			sampled:    true,
		},
		{
			name:    "invalid: all-zero trace id",
			header:  http.Header{"Traceparent": {"00-00000000000000000000000000000000-b7ad6b7169203331-01"}},
			sampled: true,
			rate:    "1",
		},
		{
			name:    "invalid: uppercase version ff",
			header:  http.Header{"Traceparent": {"ff-" + traceID + "-b7ad6b7169203331-01"}},
			sampled: true,
			rate:    "1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ua := "continuation/" + tt.name
			tt.header.Set("User-Agent", ua)
			if status, _ := do(t, "GET", reg.url+"/health", tt.header); status != 200 {
				t.Fatalf("status %d", status)
			}
			// Unsampled transactions carry no context (no User-Agent):
			// they are found by their parent.
			match := func(e map[string]any) bool {
				if tt.sampled {
					return str(e, "context", "request", "headers", "User-Agent") == ua
				}
				return e["parent_id"] == tt.wantParent
			}
			var tx map[string]any
			apm.WaitFor(t, "transaction", func(ev []map[string]any) bool {
				for _, e := range ev {
					if match(e) {
						tx = e
						return true
					}
				}
				return false
			})
			if tx == nil {
				t.Fatalf("no transaction for %s", ua)
			}
			if tt.wantTrace != "" && tx["trace_id"] != tt.wantTrace {
				t.Errorf("trace_id %v, want %s", tx["trace_id"], tt.wantTrace)
			}
			if tt.wantTrace == "" && tx["trace_id"] == traceID {
				t.Errorf("an invalid traceparent was continued")
			}
			if got, _ := tx["parent_id"].(string); got != tt.wantParent {
				t.Errorf("parent_id %q, want %q", got, tt.wantParent)
			}
			if tx["sampled"] != tt.sampled {
				t.Errorf("sampled %v, want %v", tx["sampled"], tt.sampled)
			}
			if got := str(tx, "sample_rate"); got != tt.rate {
				t.Errorf("sample_rate %q, want %q", got, tt.rate)
			}
			if !tt.sampled && tx["context"] != nil {
				t.Errorf("unsampled transaction with context: %v", tx["context"])
			}
		})
	}
}
