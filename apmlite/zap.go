package apmlite

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Log field names of the trace context: ECS names, which Kibana uses to
// link logs and traces.
const (
	FieldTraceID       = "trace.id"
	FieldTransactionID = "transaction.id"
	FieldSpanID        = "span.id"
)

// LoggerName is the name of the logger the tracer reports through; its
// entries are never turned into APM errors.
const LoggerName = "apm"

// TraceFields are the trace.id, transaction.id and, when a span is
// current, span.id fields for a log line written on behalf of ctx. They go
// before the line's own fields. Nil when ctx has no transaction, which is
// always the case with APM off.
func TraceFields(ctx context.Context) []zap.Field {
	tx := TransactionFromContext(ctx)
	if tx == nil {
		return nil
	}
	fields := make([]zap.Field, 2, 3)
	fields[0] = zap.String(FieldTraceID, tx.traceID.String())
	fields[1] = zap.String(FieldTransactionID, tx.id.String())
	if s := SpanFromContext(ctx); s != nil {
		fields = append(fields, zap.String(FieldSpanID, s.id.String()))
	}
	return fields
}

// WrapLogger returns l with every entry at error level or above also sent
// to APM as an error, like the agent's apmzap core. An entry that carries
// trace fields (TraceFields, as field or through With) is linked to its
// transaction; an "error" field or an "error.message" field becomes the
// error's exception. With a nil tracer l is returned as is.
func (t *Tracer) WrapLogger(l *zap.Logger) *zap.Logger {
	if t == nil {
		return l
	}
	return l.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		return &errorCore{Core: c, sink: &errorSink{tracer: t}}
	}))
}

// errorCore passes everything to the wrapped core and adds errorSink to
// the entries APM wants.
type errorCore struct {
	zapcore.Core
	sink *errorSink
}

func (c *errorCore) With(fields []zapcore.Field) zapcore.Core {
	return &errorCore{Core: c.Core.With(fields), sink: c.sink.with(fields)}
}

// Enabled lets error entries through even when the log level hides them
// from the log, so APM still sees them.
func (c *errorCore) Enabled(l zapcore.Level) bool {
	return l >= zapcore.ErrorLevel || c.Core.Enabled(l)
}

func (c *errorCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	ce = c.Core.Check(ent, ce)
	if ent.Level >= zapcore.ErrorLevel && !isAPMLogger(ent.LoggerName) {
		ce = ce.AddCore(ent, c.sink)
	}
	return ce
}

func isAPMLogger(name string) bool {
	return name == LoggerName || strings.HasPrefix(name, LoggerName+".")
}

// errorSink is a write-only core turning entries into APM errors. ids are
// the trace ids given to the logger through With.
type errorSink struct {
	tracer *Tracer
	ids    logIDs
}

// logIDs are trace ids read back from log fields.
type logIDs struct {
	trace       TraceID
	transaction SpanID
	span        SpanID
}

func (s *errorSink) with(fields []zapcore.Field) *errorSink {
	ids := s.ids
	if !ids.read(fields) {
		return s
	}
	return &errorSink{tracer: s.tracer, ids: ids}
}

// read takes the trace fields from fields; false when there were none.
func (ids *logIDs) read(fields []zapcore.Field) bool {
	found := false
	for _, f := range fields {
		if f.Type != zapcore.StringType {
			continue
		}
		switch f.Key {
		case FieldTraceID:
			found = decodeID(ids.trace[:], f.String) || found
		case FieldTransactionID:
			found = decodeID(ids.transaction[:], f.String) || found
		case FieldSpanID:
			found = decodeID(ids.span[:], f.String) || found
		}
	}
	return found
}

func decodeID(dst []byte, s string) bool {
	if hex.DecodedLen(len(s)) != len(dst) {
		return false
	}
	_, err := hex.Decode(dst, []byte(s))
	return err == nil
}

func (s *errorSink) Enabled(zapcore.Level) bool { return true }

func (s *errorSink) With(fields []zapcore.Field) zapcore.Core { return s.with(fields) }

func (s *errorSink) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	return ce.AddCore(ent, s)
}

func (s *errorSink) Sync() error { return nil }

func (s *errorSink) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	ids := s.ids
	ids.read(fields)
	ev := &errorEvent{
		ID:        newTraceID(),
		Timestamp: micros(ent.Time),
		Log: &errorLog{
			Message:    truncateLong(ent.Message),
			Level:      ent.Level.String(),
			LoggerName: truncate(ent.LoggerName),
		},
		Exception: exceptionFromFields(fields),
	}
	if ent.Caller.Defined {
		ev.Culprit = truncate(ent.Caller.Function)
	}
	if !ids.trace.isZero() && !ids.transaction.isZero() {
		trace, txID, parent := ids.trace, ids.transaction, ids.transaction
		if !ids.span.isZero() {
			parent = ids.span
		}
		ev.TraceID, ev.TransactionID, ev.ParentID = &trace, &txID, &parent
	}
	s.tracer.enqueue(envelope{Error: ev})
	return nil
}

// exceptionFromFields is the error an entry is about: an error-typed field
// (zap.Error) or a plain "error.message" string, the registry's way of
// logging panics.
func exceptionFromFields(fields []zapcore.Field) *exception {
	for _, f := range fields {
		switch {
		case f.Type == zapcore.ErrorType:
			err, _ := f.Interface.(error)
			if err == nil {
				continue
			}
			return &exception{Message: truncateLong(safeError(err)), Type: truncate(fmt.Sprintf("%T", err)), Handled: true}
		case f.Type == zapcore.StringType && f.Key == "error.message":
			return &exception{Message: truncateLong(f.String), Handled: true}
		}
	}
	return nil
}

// safeError is err.Error(), surviving typed nil errors whose Error method
// panics.
func safeError(err error) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("PANIC=%v", r)
		}
	}()
	return err.Error()
}
