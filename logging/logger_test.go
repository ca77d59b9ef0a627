package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// keyOrder returns the top-level keys of a JSON object in document order.
func keyOrder(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %q", line)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("decoding %q: %v", line, err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("decoding %q: %v", line, err)
		}
	}
	return keys
}

func decodeLine(t *testing.T, line string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("invalid JSON line %q: %v", line, err)
	}
	return m
}

func logLines(buf *bytes.Buffer) []string {
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

func TestECSLineFormat(t *testing.T) {
	tests := []struct {
		name        string
		environment string
		log         func(l *zap.Logger)
		keys        []string
		check       func(t *testing.T, m map[string]any)
	}{
		{
			name: "plain info",
			log:  func(l *zap.Logger) { l.Info("45 local package manifests loaded.") },
			keys: []string{"log.level", "@timestamp", "log.origin", "message", "service.name", "service.version", "ecs.version"},
			check: func(t *testing.T, m map[string]any) {
				want := map[string]any{
					"log.level": "info", "message": "45 local package manifests loaded.",
					"service.name": "svc", "service.version": "1.40.1", "ecs.version": "1.6.0",
				}
				for k, v := range want {
					if m[k] != v {
						t.Errorf("%s = %v, want %v", k, m[k], v)
					}
				}
				origin, _ := m["log.origin"].(map[string]any)
				if fn, _ := origin["function"].(string); !strings.HasSuffix(fn, "logging.TestECSLineFormat.func1") {
					t.Errorf("log.origin.function = %q", fn)
				}
				if origin["file.name"] != "logging/logger_test.go" {
					t.Errorf("log.origin.file.name = %v", origin["file.name"])
				}
				if line, ok := origin["file.line"].(float64); !ok || line <= 0 {
					t.Errorf("log.origin.file.line = %v", origin["file.line"])
				}
			},
		},
		{
			name:        "environment, fields and error",
			environment: "production",
			log: func(l *zap.Logger) {
				l.Error("Init failed", zap.String("indexer", "FileSystemIndexer"), zap.Error(errors.New("boom \"quoted\"")), zap.Duration("took", 1500*time.Microsecond))
			},
			keys: []string{"log.level", "@timestamp", "log.origin", "message", "service.name", "service.version", "service.environment", "indexer", "error", "took", "ecs.version"},
			check: func(t *testing.T, m map[string]any) {
				if !reflect.DeepEqual(m["error"], map[string]any{"message": `boom "quoted"`}) {
					t.Errorf("error = %#v, want nested message", m["error"])
				}
				if m["took"] != float64(1500000) {
					t.Errorf("duration field = %v, want nanoseconds", m["took"])
				}
				if m["service.environment"] != "production" {
					t.Errorf("service.environment = %v", m["service.environment"])
				}
			},
		},
		{
			name: "named logger and context error",
			log: func(l *zap.Logger) {
				l.Named("apm").With(zap.Error(errors.New("ctx")), zap.Int("n", 3)).Warn("w", zap.Bool("b", true))
			},
			keys: []string{"log.level", "@timestamp", "log.logger", "log.origin", "message", "service.name", "service.version", "error", "n", "b", "ecs.version"},
			check: func(t *testing.T, m map[string]any) {
				if m["log.logger"] != "apm" || m["log.level"] != "warn" {
					t.Errorf("log.logger %v, log.level %v", m["log.logger"], m["log.level"])
				}
				if !reflect.DeepEqual(m["error"], map[string]any{"message": "ctx"}) {
					t.Errorf("error = %#v", m["error"])
				}
			},
		},
		{
			name: "access logger has no origin",
			log: func(l *zap.Logger) {
				NewAccessLogger(l).Info("GET / HTTP/1.1", zap.String("source.address", "127.0.0.1"))
			},
			keys: []string{"log.level", "@timestamp", "log.logger", "message", "service.name", "service.version", "source.address", "ecs.version"},
			check: func(t *testing.T, m map[string]any) {
				if m["log.logger"] != "http" {
					t.Errorf("log.logger = %v", m["log.logger"])
				}
			},
		},
		{
			name: "special characters in name and message stay valid JSON",
			log: func(l *zap.Logger) {
				l.Named(`a"},"message":"x`).Info("line\nbreak \"}\n{")
			},
			keys: []string{"log.level", "@timestamp", "log.logger", "log.origin", "message", "service.name", "service.version", "ecs.version"},
			check: func(t *testing.T, m map[string]any) {
				if m["message"] != "line\nbreak \"}\n{" || m["log.logger"] != `a"},"message":"x` {
					t.Errorf("message %q, logger %q", m["message"], m["log.logger"])
				}
			},
		},
		{
			name: "nil and typed-nil errors",
			log: func(l *zap.Logger) {
				var pe *panickyError
				l.Info("m", zap.Error(nil), zap.NamedError("cause", pe))
			},
			keys: []string{"log.level", "@timestamp", "log.origin", "message", "service.name", "service.version", "cause", "ecs.version"},
			check: func(t *testing.T, m map[string]any) {
				cause, _ := m["cause"].(map[string]any)
				if msg, _ := cause["message"].(string); !strings.HasPrefix(msg, "PANIC=") {
					t.Errorf("cause = %#v", m["cause"])
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger, err := NewLoggerTo(&buf, "ecs", zapcore.DebugLevel, Service{Name: "svc", Version: "1.40.1", Environment: tt.environment})
			if err != nil {
				t.Fatal(err)
			}
			tt.log(logger)
			lines := logLines(&buf)
			if len(lines) != 1 {
				t.Fatalf("want one line, got %q", buf.String())
			}
			if got := keyOrder(t, lines[0]); !reflect.DeepEqual(got, tt.keys) {
				t.Errorf("keys\n%q\nwant\n%q\nline %s", got, tt.keys, lines[0])
			}
			m := decodeLine(t, lines[0])
			tt.check(t, m)
			ts, _ := m["@timestamp"].(string)
			if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d{4})$`).MatchString(ts) {
				t.Errorf("@timestamp %q", ts)
			}
		})
	}
}

type panickyError struct{ msg string }

func (e *panickyError) Error() string { return e.msg }

func TestECSTimestampZones(t *testing.T) {
	enc := NewECSEncoder()
	for _, tt := range []struct {
		time time.Time
		want string
	}{
		{time.Date(2026, 11, 21, 0, 37, 46, 262_999_999, time.UTC), `"@timestamp":"2026-11-21T00:37:46.262Z"`},
		{time.Date(2024, 5, 27, 20, 3, 35, 489_000_000, time.FixedZone("CEST", 2*3600)), `"@timestamp":"2024-05-27T20:03:35.489+0200"`},
		{time.Date(2024, 5, 27, 20, 3, 35, 0, time.FixedZone("X", -(3*3600+30*60))), `"@timestamp":"2024-05-27T20:03:35.000-0330"`},
	} {
		buf, err := enc.EncodeEntry(zapcore.Entry{Level: zapcore.InfoLevel, Time: tt.time, Message: "m"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"log.level":"info",` + tt.want + `,"message":"m","ecs.version":"1.6.0"}` + "\n"
		if buf.String() != want {
			t.Errorf("got  %s\nwant %s", buf.String(), want)
		}
	}
}

func TestLoggerLevelsAndTypes(t *testing.T) {
	var buf bytes.Buffer
	logger, err := NewLoggerTo(&buf, "ecs", zapcore.WarnLevel, Service{Name: "svc", Version: "1.40.1"})
	if err != nil {
		t.Fatal(err)
	}
	logger.Debug("d")
	logger.Info("i")
	logger.Warn("w")
	logger.Error("e")
	var levels []string
	for _, l := range logLines(&buf) {
		levels = append(levels, decodeLine(t, l)["log.level"].(string))
	}
	if !reflect.DeepEqual(levels, []string{"warn", "error"}) {
		t.Errorf("levels logged at warn: %v", levels)
	}

	for _, typ := range []string{"", "plain", "ECS", "json"} {
		_, err := NewLoggerTo(&buf, typ, zapcore.InfoLevel, Service{Name: "svc", Version: "1.40.1"})
		if want := fmt.Sprintf("invalid logger type %q", typ); err == nil || err.Error() != want {
			t.Errorf("type %q: error %v, want %s", typ, err, want)
		}
	}
}

func TestDevFormat(t *testing.T) {
	var buf bytes.Buffer
	logger, err := NewLoggerTo(&buf, "dev", zapcore.InfoLevel, Service{Name: "package-registry", Version: "1.40.1"})
	if err != nil {
		t.Fatal(err)
	}
	logger.Info("started", zap.Int("n", 1))
	NewAccessLogger(logger).Info("GET /categories HTTP/1.1", zap.Int("http.response.code", 200))

	lines := logLines(&buf)
	if len(lines) != 2 {
		t.Fatalf("lines: %q", buf.String())
	}
	ts := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d{4})`
	patterns := []string{
		`^` + ts + "\tINFO\tlogging/logger_test.go:\\d+\tstarted\t" + `\{"service.name": "package-registry", "service.version": "1.40.1", "n": 1\}$`,
		`^` + ts + "\tINFO\thttp\tGET /categories HTTP/1.1\t" + `\{"service.name": "package-registry", "service.version": "1.40.1", "http.response.code": 200\}$`,
	}
	for i, p := range patterns {
		if !regexp.MustCompile(p).MatchString(lines[i]) {
			t.Errorf("line %d = %q\ndoes not match %q", i, lines[i], p)
		}
	}
}
