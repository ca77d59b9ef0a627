package apmlite_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/apmlite/apmlitetest"
)

// TestAuthorizationHeader: the secret token is a Bearer token, the API key
// an ApiKey credential, and the API key wins when both are set.
func TestAuthorizationHeader(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"none", nil, ""},
		{"secret token", map[string]string{"ELASTIC_APM_SECRET_TOKEN": "s3cr3t"}, "Bearer s3cr3t"},
		{"API key", map[string]string{"ELASTIC_APM_API_KEY": "aWQ6a2V5"}, "ApiKey aWQ6a2V5"},
		{"both", map[string]string{"ELASTIC_APM_SECRET_TOKEN": "s3cr3t", "ELASTIC_APM_API_KEY": "aWQ6a2V5"}, "ApiKey aWQ6a2V5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apm := apmlitetest.NewServer(t)
			tr, err := apmlite.NewFromEnv(apm.Env(tt.env), "package-registry", "1.40.1")
			if err != nil || tr == nil {
				t.Fatalf("NewFromEnv: %v, %v", tr, err)
			}
			defer tr.Close()
			tr.StartTransaction("initIndexer", apmlite.TypeBackendInit).End()
			flush(t, tr)
			reqs := apm.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests (rejected: %v)", len(reqs), apm.Problems())
			}
			if got := reqs[0].Header.Get("Authorization"); got != tt.want {
				t.Errorf("Authorization %q, want %q", got, tt.want)
			}
			if reqs[0].Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(reqs[0].Header.Get("User-Agent"), "epr-apmlite") {
				t.Errorf("headers %v", reqs[0].Header)
			}
			tx := reqs[0].Events[0].Data
			if reqs[0].Events[0].Kind != "transaction" || tx["name"] != "initIndexer" || tx["type"] != "backend.init" {
				t.Errorf("event %v", reqs[0].Events[0])
			}
		})
	}
}

// TestServerPathPrefix: a server URL with a path (APM Server behind a
// reverse proxy) keeps it in front of the intake path.
func TestServerPathPrefix(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- r.URL.Path:
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/apm/")
	tr, err := apmlite.New(apmlite.Config{ServerURL: u, SampleRate: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	tr.StartTransaction("x", "y").End()
	flush(t, tr)
	if p := <-got; p != "/apm/intake/v2/events" {
		t.Errorf("posted to %q", p)
	}
}

// TestDeadAPMServerDoesNotAffectRequests: with an APM Server that never
// answers, requests are served normally (an enqueue that blocked would
// hang this test), events beyond the queue are dropped, and Close still
// returns.
func TestDeadAPMServerDoesNotAffectRequests(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer hung.Close()
	defer unblock()

	u, _ := url.Parse(hung.URL)
	tr, err := apmlite.New(apmlite.Config{
		ServerURL:     u,
		SampleRate:    1,
		FlushInterval: time.Millisecond,
		QueueSize:     8,
		BatchSize:     2,
		ServerTimeout: time.Hour,
		CloseTimeout:  50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	reg := newRegistry(t, tr, fsIndexer(t), nil)
	const n = 60
	for i := range n {
		if status, _ := do(t, "GET", reg.url+"/search", nil); status != 200 {
			t.Fatalf("request %d: status %d", i, status)
		}
	}
	// Closing while a send hangs must give up after CloseTimeout.
	tr.Close()
	if tr.Dropped() == 0 {
		t.Error("no event was dropped although the APM Server never answered")
	}
	// A closed tracer drops instead of queueing.
	before := tr.Dropped()
	tr.StartTransaction("late", "x").End()
	if tr.Dropped() != before+1 {
		t.Errorf("an event after Close was not dropped")
	}
}

// TestFailedSendsAreLoggedNotLooped: a refusing APM Server is reported on
// the "apm" logger, and that line is not sent to APM as an error.
func TestFailedSendsAreLoggedNotLooped(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	apm.SetStatus(http.StatusServiceUnavailable)
	tr := newTracer(t, apm, nil)
	core, observed := observer.New(zapcore.DebugLevel)
	logger := tr.WrapLogger(zap.New(core))
	tr.SetLogger(logger.Named(apmlite.LoggerName))

	tr.StartTransaction("first", "x").End()
	flush(t, tr)
	var failure *observer.LoggedEntry
	for _, e := range observed.All() {
		if e.Message == "failed to send events to APM Server" {
			failure = &e
		}
	}
	if failure == nil || failure.LoggerName != "apm" || failure.Level != zapcore.ErrorLevel {
		t.Fatalf("no failure line on the apm logger: %v", observed.All())
	}
	if msg := failure.ContextMap()["error"]; !strings.Contains(msg.(string), "503") {
		t.Errorf("error %v does not name the status", msg)
	}

	apm.SetStatus(http.StatusAccepted)
	tr.StartTransaction("second", "x").End()
	flush(t, tr) // Flush ignores the retry pause
	if errs := apm.Events("error"); len(errs) != 0 {
		t.Errorf("the tracer's own failure was sent to APM: %v", errs)
	}
	if txs := apm.Events("transaction"); len(txs) != 2 || txs[1]["name"] != "second" {
		t.Errorf("transactions %v", txs)
	}
}

// TestDisabledWithoutServerURL: without ELASTIC_APM_SERVER_URL there is no
// tracer, nothing is sent, no middleware is installed and logs carry no
// trace fields.
func TestDisabledWithoutServerURL(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	env := func(name string) (string, bool) {
		// Everything but the server URL, pointing at a live server.
		m := map[string]string{
			"ELASTIC_APM_SECRET_TOKEN":            "x",
			"ELASTIC_APM_TRANSACTION_SAMPLE_RATE": "not a number",
			"ELASTIC_APM_SERVER_URLS":             apm.URL,
		}
		v, ok := m[name]
		return v, ok
	}
	tr, err := apmlite.NewFromEnv(env, "package-registry", "1.40.1")
	if tr != nil || err != nil {
		t.Fatalf("got %v, %v; want no tracer and no error", tr, err)
	}
	reg := newRegistry(t, tr, fsIndexer(t), nil)
	if status, _ := do(t, "GET", reg.url+"/search", http.Header{"Traceparent": {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}); status != 200 {
		t.Fatalf("status %d", status)
	}
	if status, _ := do(t, "GET", reg.url+"/nope", nil); status != 404 {
		t.Fatalf("status %d", status)
	}
	for _, l := range reg.logs.lines(t) {
		if _, ok := l["trace.id"]; ok {
			t.Errorf("trace fields with APM off: %s", l["_raw"])
		}
	}
	tr.Close()
	if n := len(apm.Requests()); n != 0 {
		t.Errorf("%d intake requests with APM off", n)
	}
}

// TestNilTracerCostsNothing: every instrumentation point is a no-op that
// allocates nothing when APM is off.
func TestNilTracerCostsNothing(t *testing.T) {
	var tr *apmlite.Tracer
	ctx := context.Background()
	req := httptest.NewRequest("GET", "http://remote/search", nil)
	logger := zap.NewNop()
	if tr.WrapLogger(logger) != logger {
		t.Error("WrapLogger changed the logger")
	}
	allocs := testing.AllocsPerRun(100, func() {
		tx := tr.StartTransaction("updateIndex", apmlite.TypeBackendWatch)
		c := apmlite.ContextWithTransaction(ctx, tx)
		if apmlite.TraceFields(c) != nil {
			t.Fatal("fields")
		}
		span, c2 := apmlite.StartSpan(c, "s", "app", "")
		apmlite.InjectHeaders(c2, req.Header)
		rtx, r := tr.StartRequest("GET /search", req)
		if r != req {
			t.Fatal("request copied")
		}
		rtx.EndRequest(http.StatusOK, true, false)
		cs := apmlite.StartClientSpan(req)
		cs.EndHTTP(nil, nil)
		span.End()
		tx.SetOutcome(apmlite.OutcomeSuccess)
		tx.End()
		tr.SetLogger(logger)
		tr.Close()
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run with APM off", allocs)
	}
	if len(req.Header) != 0 {
		t.Errorf("headers set with APM off: %v", req.Header)
	}
}

// TestInvalidConfigFailsNew: New refuses a configuration without server.
func TestInvalidConfigFailsNew(t *testing.T) {
	if _, err := apmlite.New(apmlite.Config{}); err == nil {
		t.Error("New accepted a config without a server URL")
	}
}
