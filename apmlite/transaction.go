package apmlite

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Outcomes of transactions and spans.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// Transaction types used by the registry; APM UIs group by them, so they
// are upstream's.
const (
	TypeRequest       = "request"
	TypeBackendInit   = "backend.init"
	TypeBackendWatch  = "backend.watcher"
	typeExternal      = "external"
	subtypeHTTP       = "http"
	unknownRouteLabel = "unknown route"
)

// Transaction is one unit of work: a routed request or a background job.
// All methods accept a nil *Transaction (APM off) and do nothing.
type Transaction struct {
	tracer     *Tracer
	traceID    TraceID
	id         SpanID
	parentID   SpanID // zero for a root transaction
	tracestate string
	sampled    bool
	sampleRate float64
	hasRate    bool
	name, typ  string
	start      time.Time

	mu      sync.Mutex
	ended   bool
	result  string
	outcome string
	started int // spans recorded
	dropped int // spans over MaxSpans
	request *requestContext
	resp    *responseContext
}

// StartTransaction starts a root transaction, for background work
// (initIndexer, updateIndex, updateFSIndex). End it when the work is done.
func (t *Tracer) StartTransaction(name, typ string) *Transaction {
	if t == nil {
		return nil
	}
	return t.startTransaction(name, typ, traceParent{}, false, "")
}

// startTransaction continues the trace of parent when hasParent, else
// starts a new trace with the tracer's sampling decision.
func (t *Tracer) startTransaction(name, typ string, parent traceParent, hasParent bool, tracestate string) *Transaction {
	tx := &Transaction{
		tracer: t,
		id:     newSpanID(),
		name:   name,
		typ:    typ,
		start:  time.Now(),
	}
	if hasParent {
		tx.traceID = parent.traceID
		tx.parentID = parent.parentID
		tx.sampled = parent.sampled
		tx.tracestate = tracestate
		tx.sampleRate, tx.hasRate = tracestateSampleRate(tracestate)
		if !tx.sampled {
			tx.sampleRate, tx.hasRate = 0, true
		}
		return tx
	}
	tx.traceID = newTraceID()
	tx.sampled = t.sample()
	tx.sampleRate, tx.hasRate = t.cfg.SampleRate, true
	if !tx.sampled {
		tx.sampleRate = 0
	}
	tx.tracestate = rootTracestate(tx.sampleRate)
	return tx
}

// TraceID is the hex trace id, "" for a nil transaction.
func (tx *Transaction) TraceID() string {
	if tx == nil {
		return ""
	}
	return tx.traceID.String()
}

// ID is the hex transaction id, "" for a nil transaction.
func (tx *Transaction) ID() string {
	if tx == nil {
		return ""
	}
	return tx.id.String()
}

// Sampled tells whether the transaction's details are recorded.
func (tx *Transaction) Sampled() bool { return tx != nil && tx.sampled }

// SetResult sets the result, for example "HTTP 2xx".
func (tx *Transaction) SetResult(result string) {
	if tx == nil {
		return
	}
	tx.mu.Lock()
	tx.result = result
	tx.mu.Unlock()
}

// SetOutcome sets OutcomeSuccess or OutcomeFailure.
func (tx *Transaction) SetOutcome(outcome string) {
	if tx == nil {
		return
	}
	tx.mu.Lock()
	tx.outcome = outcome
	tx.mu.Unlock()
}

// End records the transaction's duration and queues it for sending. Only
// the first call counts.
func (tx *Transaction) End() {
	if tx == nil {
		return
	}
	d := time.Since(tx.start)
	tx.mu.Lock()
	if tx.ended {
		tx.mu.Unlock()
		return
	}
	tx.ended = true
	ev := &transactionEvent{
		ID:        tx.id,
		TraceID:   tx.traceID,
		Name:      truncate(tx.name),
		Type:      truncate(tx.typ),
		Timestamp: micros(tx.start),
		Duration:  millis(d),
		Result:    truncate(tx.result),
		Outcome:   tx.outcome,
		Sampled:   tx.sampled,
		SpanCount: spanCount{Started: tx.started, Dropped: tx.dropped},
	}
	if tx.sampled && (tx.request != nil || tx.resp != nil) {
		// Unsampled transactions are sent bare: they only count.
		ev.Context = &txContext{Request: tx.request, Response: tx.resp}
	}
	tx.mu.Unlock()
	if !tx.parentID.isZero() {
		p := tx.parentID
		ev.ParentID = &p
	}
	if tx.hasRate {
		r := tx.sampleRate
		ev.SampleRate = &r
	}
	tx.tracer.enqueue(envelope{Transaction: ev})
}

// traceparent is the header value for a call made while current is the
// active span (nil: the transaction itself).
func (tx *Transaction) traceparent(current *Span) string {
	parent := tx.id
	if current != nil {
		parent = current.id
	}
	return formatTraceparent(tx.traceID, parent, tx.sampled)
}

// Span is a timed operation inside a transaction. All methods accept a nil
// *Span and do nothing.
type Span struct {
	tx       *Transaction
	id       SpanID
	parentID SpanID
	name     string
	typ      string
	subtype  string
	start    time.Time
	// recorded is false for spans of unsampled transactions and spans
	// over the MaxSpans limit: they are timed but never sent.
	recorded bool

	mu      sync.Mutex
	ended   bool
	outcome string
	context *spanContext
}

// StartSpan starts a span under the span or transaction current in ctx
// and returns a context in which it is current. Without a transaction in
// ctx it returns nil and ctx unchanged.
func StartSpan(ctx context.Context, name, typ, subtype string) (*Span, context.Context) {
	tx := TransactionFromContext(ctx)
	if tx == nil {
		return nil, ctx
	}
	s := tx.startSpan(SpanFromContext(ctx), name, typ, subtype)
	if !s.recorded {
		// Not sent, so its id must not appear in logs or traceparents.
		return s, ctx
	}
	return s, ContextWithSpan(ctx, s)
}

func (tx *Transaction) startSpan(parent *Span, name, typ, subtype string) *Span {
	s := &Span{tx: tx, id: newSpanID(), parentID: tx.id, name: name, typ: typ, subtype: subtype, start: time.Now()}
	if parent != nil {
		s.parentID = parent.id
	}
	tx.mu.Lock()
	switch {
	case !tx.sampled:
	case tx.started >= tx.tracer.cfg.MaxSpans:
		tx.dropped++
	default:
		tx.started++
		s.recorded = true
	}
	tx.mu.Unlock()
	return s
}

// SetOutcome sets OutcomeSuccess or OutcomeFailure.
func (s *Span) SetOutcome(outcome string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.outcome = outcome
	s.mu.Unlock()
}

// End queues the span for sending if it is recorded. Only the first call
// counts.
func (s *Span) End() {
	if s == nil {
		return
	}
	d := time.Since(s.start)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.ended = true
	if !s.recorded {
		return
	}
	s.tx.tracer.enqueue(envelope{Span: &spanEvent{
		ID:            s.id,
		TransactionID: s.tx.id,
		TraceID:       s.tx.traceID,
		ParentID:      s.parentID,
		Name:          truncate(s.name),
		Type:          truncate(s.typ),
		Subtype:       truncate(s.subtype),
		Timestamp:     micros(s.start),
		Duration:      millis(d),
		Outcome:       s.outcome,
		Context:       s.context,
	}})
}

type txKey struct{}

type spanKey struct{}

// ContextWithTransaction returns ctx carrying tx; ctx itself when tx is
// nil, so that APM off costs nothing.
func ContextWithTransaction(ctx context.Context, tx *Transaction) context.Context {
	if tx == nil {
		return ctx
	}
	return context.WithValue(ctx, txKey{}, tx)
}

// TransactionFromContext is the transaction in ctx, or nil.
func TransactionFromContext(ctx context.Context) *Transaction {
	tx, _ := ctx.Value(txKey{}).(*Transaction)
	return tx
}

// ContextWithSpan returns ctx in which s is the current span.
func ContextWithSpan(ctx context.Context, s *Span) context.Context {
	if s == nil {
		return ctx
	}
	return context.WithValue(ctx, spanKey{}, s)
}

// SpanFromContext is the current span in ctx, or nil.
func SpanFromContext(ctx context.Context) *Span {
	s, _ := ctx.Value(spanKey{}).(*Span)
	return s
}

// InjectHeaders sets traceparent (and tracestate) on an outgoing request's
// headers from the span or transaction current in ctx. It does nothing
// when ctx has no transaction.
func InjectHeaders(ctx context.Context, h http.Header) {
	tx := TransactionFromContext(ctx)
	if tx == nil {
		return
	}
	h.Set(headerTraceparent, tx.traceparent(SpanFromContext(ctx)))
	if tx.tracestate != "" {
		h.Set(headerTracestate, tx.tracestate)
	}
}
