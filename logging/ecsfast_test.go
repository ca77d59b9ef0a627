package logging

import (
	"errors"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
)

// ecsWithContext is an ECS encoder holding context fields, as With makes
// it.
func ecsWithContext(fields ...zapcore.Field) *ecsEncoder {
	enc := NewECSEncoder().Clone()
	for _, f := range fields {
		f.AddTo(enc)
	}
	return enc.(*ecsEncoder)
}

// fastAndSlow encodes one entry both ways.
func fastAndSlow(t testing.TB, enc *ecsEncoder, ent zapcore.Entry, fields []zapcore.Field) (fast, slow string, ok bool) {
	t.Helper()
	s, err := enc.encodeSlow(ent, fields)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Free()
	f := enc.encodeFast(ent, fields)
	if f == nil {
		return "", s.String(), false
	}
	defer f.Free()
	return f.String(), s.String(), true
}

func TestECSFastPathMatchesZap(t *testing.T) {
	when := time.Date(2026, 11, 21, 6, 17, 13, 109_876_000, time.UTC)
	service := []zapcore.Field{zap.String("service.name", "package-registry"), zap.String("service.version", "1.40.1")}
	caller := zapcore.EntryCaller{Defined: true, File: "/src/epr/config/summary.go", Line: 14, Function: "github.com/eprgo/package-registry/config.(*Config).LogEffective"}
	tests := []struct {
		name   string
		ctx    []zapcore.Field
		ent    zapcore.Entry
		fields []zapcore.Field
	}{
		{"access line", service,
			zapcore.Entry{Level: zapcore.InfoLevel, Time: when, LoggerName: "http", Message: "GET /search HTTP/1.1"},
			[]zapcore.Field{
				zap.String("source.address", "127.0.0.1"), zap.String("http.request.method", "GET"),
				zap.String("url.path", "/search"), zap.String("url.domain", "localhost"),
				zap.Int("http.response.code", 200), zap.Int("http.response.body.bytes", 632),
				zap.Int64("event.duration", 91234), zap.String("source.ip", "127.0.0.1"),
				zap.String("user_agent.original", `Mozilla/5.0 "quoted" \ back`),
				zap.String("url.query", "package=nginx&q=%00\x00\x1f\t\n\r"), zap.Int("url.port", 8080),
			}},
		{"caller, no name, no context", nil,
			zapcore.Entry{Level: zapcore.WarnLevel, Time: when, Caller: caller, Message: "Packages paths: /x"}, nil},
		{"environment and every scalar type",
			append(append([]zapcore.Field{}, service...), zap.String("service.environment", "prod"), zap.Int("n", -3)),
			zapcore.Entry{Level: zapcore.DebugLevel, Time: when.In(time.FixedZone("X", 5*3600+1800)), LoggerName: "a.b", Caller: caller, Message: ""},
			[]zapcore.Field{
				zap.Bool("t", true), zap.Bool("f", false), zap.Duration("d", 1500*time.Millisecond),
				zap.Int32("i32", -7), zap.Int16("i16", 8), zap.Int8("i8", -9),
				zap.Uint64("u64", 1<<63), zap.Uint32("u32", 1), zap.Uint16("u16", 2), zap.Uint8("u8", 3), zap.Uintptr("up", 4),
				zap.Skip(), zap.String("k\x7f\u2028", "é\xff\xfe✓"), zap.String("dup", "1"), zap.String("dup", "2"),
			}},
		{"odd levels and names", nil,
			zapcore.Entry{Level: zapcore.Level(-5), Time: time.Time{}, LoggerName: "n\"\\\x01", Message: "\xc3"}, nil},
		{"fatal", service, zapcore.Entry{Level: zapcore.FatalLevel, Time: when, Message: "bye"}, []zapcore.Field{zap.String("error.message", "x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fast, slow, ok := fastAndSlow(t, ecsWithContext(tt.ctx...), tt.ent, tt.fields)
			if !ok {
				t.Fatal("fast path refused plain fields")
			}
			if fast != slow {
				t.Errorf("fast path differs\n fast %s slow %s", fast, slow)
			}
		})
	}
}

// Fields the fast path does not write, and a context it cannot splice,
// take the general path.
func TestECSFastPathFallsBack(t *testing.T) {
	ent := zapcore.Entry{Level: zapcore.InfoLevel, Time: time.Now(), Message: "m"}
	for _, f := range []zapcore.Field{
		zap.Error(errors.New("boom")), zap.Float64("f", 1.5), zap.Any("o", map[string]int{"a": 1}),
		zap.Strings("s", []string{"a"}), zap.Namespace("ns"), zap.ByteString("b", []byte("x")),
	} {
		if _, _, ok := fastAndSlow(t, ecsWithContext(), ent, []zapcore.Field{zap.String("a", "b"), f}); ok {
			t.Errorf("field %s (type %v) took the fast path", f.Key, f.Type)
		}
	}
	if _, _, ok := fastAndSlow(t, ecsWithContext(zap.Namespace("ns"), zap.String("x", "y")), ent, nil); ok {
		t.Error("a context with an open namespace took the fast path")
	}
}

// Through the whole logger: With, named loggers and callers give the same
// lines as the general path.
func TestECSLoggerUsesSameBytes(t *testing.T) {
	var got, want []string
	for _, fast := range []bool{true, false} {
		var out []string
		enc := NewECSEncoder().(*ecsEncoder)
		core := zapcore.NewCore(encoderFunc{enc, fast}, zapcore.AddSync(writerFunc(func(p []byte) { out = append(out, string(p)) })), zapcore.DebugLevel)
		logger := zap.New(core, zap.AddCaller()).With(zap.String("service.name", "s"))
		logger.Named("http").WithOptions(zap.WithCaller(false)).Info("GET / HTTP/1.1", zap.Int("http.response.code", 200))
		logger.Warn("w", zap.String("k", "v"))
		if fast {
			got = out
		} else {
			want = out
		}
	}
	for i := range want {
		// The timestamps differ between the two runs; compare after them.
		if len(got) <= i || cutTime(got[i]) != cutTime(want[i]) {
			t.Errorf("line %d: got %q, want %q", i, got, want)
		}
	}
}

func cutTime(line string) string {
	const key = `"@timestamp":"`
	i := len(`{"log.level":"info",`)
	for j := 0; j+len(key) <= len(line); j++ {
		if line[j:j+len(key)] == key {
			i = j + len(key)
			break
		}
	}
	for k := i; k < len(line); k++ {
		if line[k] == '"' {
			return line[:i] + line[k:]
		}
	}
	return line
}

// encoderFunc forces one path of an ecsEncoder, through Clone and With.
type encoderFunc struct {
	*ecsEncoder
	fast bool
}

func (e encoderFunc) Clone() zapcore.Encoder {
	return encoderFunc{e.ecsEncoder.Clone().(*ecsEncoder), e.fast}
}

func (e encoderFunc) EncodeEntry(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	if e.fast {
		if b := e.encodeFast(ent, fields); b != nil {
			return b, nil
		}
		return nil, errors.New("fast path refused")
	}
	return e.encodeSlow(ent, fields)
}

type writerFunc func([]byte)

func (w writerFunc) Write(p []byte) (int, error) { w(append([]byte(nil), p...)); return len(p), nil }
