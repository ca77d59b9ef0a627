package logging

import (
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// The direct ECS encoding gives zap's bytes for any strings and numbers.
func FuzzECSFastPath(f *testing.F) {
	f.Add("http", "GET /search HTTP/1.1", "user_agent.original", "curl/8", int64(200), "a.go")
	f.Add("", "\x00\xff\"\\\n", "k\t", "\u2028\xc3", int64(-1), "")
	f.Fuzz(func(t *testing.T, name, msg, key, value string, n int64, file string) {
		enc := ecsWithContext(zap.String("service.name", value), zap.Int64(key, n))
		ent := zapcore.Entry{Level: zapcore.ErrorLevel, Time: time.Unix(n%1e10, n%1e9), LoggerName: name, Message: msg,
			Caller: zapcore.EntryCaller{Defined: file != "", File: file, Function: name, Line: int(n % 100000)}}
		fast, slow, ok := fastAndSlow(t, enc, ent, []zapcore.Field{zap.String(key, value), zap.Int64("n", n), zap.Bool(value, n > 0)})
		if !ok || fast != slow {
			t.Fatalf("fast path differs (ok=%v)\n fast %q\n slow %q", ok, fast, slow)
		}
	})
}
