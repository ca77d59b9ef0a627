package apmlite_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/apmlite/apmlitetest"
	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/logging"
	"github.com/eprgo/package-registry/packages"
)

// TestAccessLogCarriesTraceIDs: the access-log line of a routed request
// has trace.id and transaction.id of its transaction between the constant
// fields and source.address, where upstream's lines have them
// (docs/operations.md, "APM").
func TestAccessLogCarriesTraceIDs(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	tr := newTracer(t, apm, nil)
	reg := newRegistry(t, tr, fsIndexer(t), nil)

	if status, _ := do(t, "GET", reg.url+"/search?package=apmtest", http.Header{"User-Agent": {"log-test"}}); status != 200 {
		t.Fatalf("status %d", status)
	}
	txs := apm.WaitFor(t, "transaction", func(ev []map[string]any) bool { return len(byName(ev, "GET /search")) == 1 })
	tx := byName(txs, "GET /search")[0]

	var access map[string]any
	for _, l := range reg.logs.lines(t) {
		if l["log.logger"] == "http" {
			access = l
		}
	}
	if access == nil {
		t.Fatal("no access-log line")
	}
	if access["trace.id"] != tx["trace_id"] || access["transaction.id"] != tx["id"] {
		t.Errorf("access log ids (%v, %v), transaction (%v, %v)", access["trace.id"], access["transaction.id"], tx["trace_id"], tx["id"])
	}
	keys := keyOrder(t, access["_raw"].(string))
	want := []string{"log.level", "@timestamp", "log.logger", "message", "service.name", "service.version", "trace.id", "transaction.id", "source.address"}
	if !reflect.DeepEqual(keys[:len(want)], want) {
		t.Errorf("access-log keys %v, want them to start with %v", keys, want)
	}
	if _, ok := access["span.id"]; ok {
		t.Error("span.id without a current span")
	}
}

// panicIndexer is a package source whose lookups panic, the way a bug in
// a backend would.
type panicIndexer struct{ indexer.Indexer }

func (panicIndexer) Get(context.Context, *indexer.GetOptions) (packages.Packages, error) {
	panic("index exploded")
}

// TestPanicIsReportedAsError: a handler panic is answered 500 by the
// server's recovery and reported to APM as an error of the request's
// transaction; the log line carries the trace ids.
func TestPanicIsReportedAsError(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	tr := newTracer(t, apm, nil)
	reg := newRegistry(t, tr, panicIndexer{fsIndexer(t)}, nil)

	status, body := do(t, "GET", reg.url+"/search", nil)
	if status != 500 || strings.TrimSpace(body) != "internal server error" {
		t.Fatalf("got %d %q, want 500 internal server error", status, body)
	}
	txs := apm.WaitFor(t, "transaction", func(ev []map[string]any) bool { return len(ev) == 1 })
	errs := apm.WaitFor(t, "error", func(ev []map[string]any) bool { return len(ev) == 1 })
	tx, e := txs[0], errs[0]
	if tx["result"] != "HTTP 5xx" || tx["outcome"] != "failure" {
		t.Errorf("transaction result %v outcome %v, want HTTP 5xx failure", tx["result"], tx["outcome"])
	}
	if e["trace_id"] != tx["trace_id"] || e["transaction_id"] != tx["id"] || e["parent_id"] != tx["id"] {
		t.Errorf("error not linked to its transaction: %v / %v", e, tx)
	}
	if got := str(e, "exception", "message"); got != "index exploded" {
		t.Errorf("exception.message %q", got)
	}
	if got := str(e, "log", "message"); got != "panic serving request" {
		t.Errorf("log.message %q", got)
	}
	var logged map[string]any
	for _, l := range reg.logs.lines(t) {
		if l["message"] == "panic serving request" {
			logged = l
		}
	}
	if logged == nil || logged["trace.id"] != tx["trace_id"] || logged["transaction.id"] != tx["id"] {
		t.Errorf("panic log line without the trace ids: %v", logged)
	}
}

// TestErrorLogsBecomeErrors: error-level entries go to APM as errors
// (apmzap's behaviour); entries carrying trace fields are linked; lower
// levels and the tracer's own logger are not sent.
func TestErrorLogsBecomeErrors(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	tr := newTracer(t, apm, nil)
	logs := &lockedBuffer{}
	base, err := logging.NewLoggerTo(logs, logging.LogTypeECS, zapcore.FatalLevel, logging.Service{Name: "package-registry"})
	if err != nil {
		t.Fatal(err)
	}
	logger := tr.WrapLogger(base)

	tx := tr.StartTransaction("job", "backend.watcher")
	ctx := apmlite.ContextWithTransaction(context.Background(), tx)
	span, spanCtx := apmlite.StartSpan(ctx, "step", "app", "")

	logger.Error("plain failure", zap.Error(errors.New("disk full")))
	logger.With(apmlite.TraceFields(ctx)...).Error("linked through With", zap.String("error.message", "bad cursor"))
	logger.Error("linked through fields", append(apmlite.TraceFields(spanCtx), zap.Int("n", 1))...)
	logger.Warn("only a warning", zap.Error(errors.New("ignored")))
	logger.Named(apmlite.LoggerName).Error("failed to send events to APM Server")
	span.End()
	tx.End()
	flush(t, tr)

	errs := apm.WaitFor(t, "error", func(ev []map[string]any) bool { return len(ev) >= 3 })
	if len(errs) != 3 {
		t.Fatalf("got %d errors, want 3: %v", len(errs), errs)
	}
	if str(errs[0], "log", "message") != "plain failure" || str(errs[0], "exception", "message") != "disk full" ||
		str(errs[0], "exception", "type") != "*errors.errorString" || str(errs[0], "log", "level") != "error" {
		t.Errorf("plain failure: %v", errs[0])
	}
	if _, linked := errs[0]["trace_id"]; linked {
		t.Errorf("an entry without trace fields was linked: %v", errs[0])
	}
	if !strings.HasSuffix(str(errs[0], "culprit"), "TestErrorLogsBecomeErrors") {
		t.Errorf("culprit %q, want the logging function", str(errs[0], "culprit"))
	}
	if errs[1]["trace_id"] != tx.TraceID() || errs[1]["transaction_id"] != tx.ID() || errs[1]["parent_id"] != tx.ID() ||
		str(errs[1], "exception", "message") != "bad cursor" {
		t.Errorf("linked through With: %v", errs[1])
	}
	spans := apm.WaitFor(t, "span", func(ev []map[string]any) bool { return len(ev) == 1 })
	if errs[2]["transaction_id"] != tx.ID() || errs[2]["parent_id"] != spans[0]["id"] || errs[2]["exception"] != nil {
		t.Errorf("linked through fields: %v (span %v)", errs[2], spans[0]["id"])
	}
	// The log itself is unchanged: fatal level hides all of these.
	if lines := logs.lines(t); len(lines) != 0 {
		t.Errorf("the wrapper changed what is logged: %v", lines)
	}
}

// TestTraceFields: the fields a log line gets in a request context.
func TestTraceFields(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	tr := newTracer(t, apm, nil)
	if f := apmlite.TraceFields(context.Background()); f != nil {
		t.Errorf("fields without a transaction: %v", f)
	}
	tx := tr.StartTransaction("t", "x")
	ctx := apmlite.ContextWithTransaction(context.Background(), tx)
	want := []zap.Field{zap.String("trace.id", tx.TraceID()), zap.String("transaction.id", tx.ID())}
	if got := apmlite.TraceFields(ctx); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	span, spanCtx := apmlite.StartSpan(ctx, "s", "app", "")
	got := apmlite.TraceFields(spanCtx)
	if len(got) != 3 || got[2].Key != "span.id" || len(got[2].String) != 16 {
		t.Errorf("with a span: %v", got)
	}
	span.End()
	tx.End()
}
