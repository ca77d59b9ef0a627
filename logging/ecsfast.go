package logging

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"go.uber.org/zap"
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
)

// The ECS line of an entry whose fields are all plain scalars (strings,
// integers, booleans, durations: every access-log line and most others)
// is written directly into one buffer. The general path (encodeSlow)
// encodes a head and a tail with zap's JSON encoder and joins them, which
// costs two encoder clones, two buffers and a copy per line: a fifth of
// the CPU of a small cached answer. Both paths must produce the same bytes
// (TestECSFastPathMatchesZap, FuzzECSFastPath).

// fastContext is the encoder's context fields (added with With) as zap
// encodes them, with their leading comma, or ok=false when they cannot be
// spliced in front of entry fields (an open zap.Namespace).
type fastContext struct {
	fields []byte
	ok     bool
}

// ctxProbeKey marks where the entry fields start in the probe encoding.
const ctxProbeKey = "\x00ctx-probe"

// context returns the encoder's encoded context fields, computed once. The
// encoders zap hands a core are cloned and filled by With before the first
// entry is encoded, and never changed after.
func (e *ecsEncoder) context() *fastContext {
	if c := e.ctx.Load(); c != nil {
		return c
	}
	c := &fastContext{}
	probe, err := e.Encoder.EncodeEntry(zapcore.Entry{}, []zapcore.Field{zap.String(ctxProbeKey, "")})
	if err == nil {
		b := probe.Bytes()
		const head = `{"message":""`
		const tail = `,"\u0000ctx-probe":""}` + "\n"
		if bytes.HasPrefix(b, []byte(head)) && bytes.HasSuffix(b, []byte(tail)) && len(b) >= len(head)+len(tail) {
			c.fields = bytes.Clone(b[len(head) : len(b)-len(tail)])
			c.ok = true
		}
		probe.Free()
	}
	e.ctx.CompareAndSwap(nil, c)
	return e.ctx.Load()
}

// fastField reports whether f is written by encodeFast.
func fastField(f zapcore.Field) bool {
	switch f.Type {
	case zapcore.StringType, zapcore.BoolType, zapcore.DurationType, zapcore.SkipType,
		zapcore.Int64Type, zapcore.Int32Type, zapcore.Int16Type, zapcore.Int8Type,
		zapcore.Uint64Type, zapcore.Uint32Type, zapcore.Uint16Type, zapcore.Uint8Type, zapcore.UintptrType:
		return true
	}
	return false
}

// encodeFast writes the line of ent, or returns nil when a field or the
// context needs the general path.
func (e *ecsEncoder) encodeFast(ent zapcore.Entry, fields []zapcore.Field) *buffer.Buffer {
	for _, f := range fields {
		if !fastField(f) {
			return nil
		}
	}
	ctx := e.context()
	if !ctx.ok {
		return nil
	}
	buf := bufferPool.Get()
	b := buf.Bytes()[:0]
	b = append(b, `{"log.level":`...)
	b = appendJSONString(b, ent.Level.String())
	if !ent.Time.IsZero() { // zap leaves a zero time out
		b = append(b, `,"@timestamp":"`...)
		b = ent.Time.AppendFormat(b, "2006-01-02T15:04:05.000Z0700")
		b = append(b, '"')
	}
	if ent.LoggerName != "" {
		b = append(b, `,"log.logger":`...)
		b = appendJSONString(b, ent.LoggerName)
	}
	if ent.Caller.Defined {
		b = append(b, `,"log.origin":{"function":`...)
		b = appendJSONString(b, ent.Caller.Function)
		b = append(b, `,"file.name":`...)
		b = appendJSONString(b, trimmedFile(ent.Caller.File))
		b = append(b, `,"file.line":`...)
		b = strconv.AppendInt(b, int64(ent.Caller.Line), 10)
		b = append(b, '}')
	}
	b = append(b, `,"message":`...)
	b = appendJSONString(b, ent.Message)
	b = append(b, ctx.fields...)
	for _, f := range fields {
		if f.Type == zapcore.SkipType {
			continue
		}
		b = append(b, ',')
		b = appendJSONString(b, f.Key)
		b = append(b, ':')
		switch f.Type {
		case zapcore.StringType:
			b = appendJSONString(b, f.String)
		case zapcore.BoolType:
			b = strconv.AppendBool(b, f.Integer == 1)
		case zapcore.Uint64Type, zapcore.Uint32Type, zapcore.Uint16Type, zapcore.Uint8Type, zapcore.UintptrType:
			b = strconv.AppendUint(b, uint64(f.Integer), 10)
		default: // signed integers; durations are nanoseconds (NanosDurationEncoder)
			b = strconv.AppendInt(b, f.Integer, 10)
		}
	}
	b = append(b, `,"ecs.version":"`+ECSVersion+`"}`+"\n"...)
	// zap's Buffer cannot take a slice over: the line was appended to its
	// own array and is written back (a copy onto itself unless it grew).
	buf.Reset()
	buf.AppendBytes(b)
	return buf
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string the way zap's JSON encoder
// escapes it: `"` and `\` escaped, \n \r \t, other control bytes as
// \u00XX, invalid UTF-8 bytes replaced by \ufffd, everything else as is.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[last:i]...)
			b = append(b, `\ufffd`...)
			i++
			last = i
			continue
		}
		if c >= 0x20 && c != '\\' && c != '"' {
			i++
			continue
		}
		b = append(b, s[last:i]...)
		switch c {
		case '\\', '"':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		last = i
	}
	b = append(b, s[last:]...)
	return append(b, '"')
}
