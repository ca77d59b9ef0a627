package logging

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func TestAccessLogFields(t *testing.T) {
	tests := []struct {
		name    string
		request func() *http.Request
		want    []zap.Field
	}{
		{
			name: "full",
			request: func() *http.Request {
				r := httptest.NewRequest("GET", "http://localhost:18313/search?package=apache&all=true", nil)
				r.RemoteAddr = "127.0.0.1:50000"
				r.Header.Set("User-Agent", "curl/7.88.1")
				r.Header.Set("Referer", "http://kibana/")
				return r
			},
			want: []zap.Field{
				zap.String("source.address", "127.0.0.1"),
				zap.String("http.request.method", "GET"),
				zap.String("url.path", "/search"),
				zap.String("url.domain", "localhost"),
				zap.Int("http.response.code", 200),
				zap.Int("http.response.body.bytes", 196),
				zap.Int64("event.duration", 488282),
				zap.String("source.ip", "127.0.0.1"),
				zap.String("http.request.referer", "http://kibana/"),
				zap.String("user_agent.original", "curl/7.88.1"),
				zap.String("url.query", "package=apache&all=true"),
				zap.Int("url.port", 18313),
			},
		},
		{
			name: "minimal, ipv6, decoded path",
			request: func() *http.Request {
				r := httptest.NewRequest("HEAD", "http://[::1]/package/a%20b/1.0.0/", nil)
				r.RemoteAddr = "[::1]:1234"
				r.Header.Del("User-Agent")
				return r
			},
			want: []zap.Field{
				zap.String("source.address", "::1"),
				zap.String("http.request.method", "HEAD"),
				zap.String("url.path", "/package/a b/1.0.0/"),
				zap.String("url.domain", "[::1]"),
				zap.Int("http.response.code", 200),
				zap.Int("http.response.body.bytes", 196),
				zap.Int64("event.duration", 488282),
				zap.String("source.ip", "::1"),
			},
		},
		{
			name: "ipv6 host with port, empty referer present, unsplittable remote address",
			request: func() *http.Request {
				r := httptest.NewRequest("GET", "http://[2001:db8::1]:8443/", nil)
				r.RemoteAddr = "some-socket"
				r.Header.Set("Referer", "")
				return r
			},
			want: []zap.Field{
				zap.String("source.address", "some-socket"),
				zap.String("http.request.method", "GET"),
				zap.String("url.path", "/"),
				zap.String("url.domain", "[2001:db8::1]"),
				zap.Int("http.response.code", 200),
				zap.Int("http.response.body.bytes", 196),
				zap.Int64("event.duration", 488282),
				zap.String("source.domain", "some-socket"),
				zap.String("http.request.referer", ""),
				zap.Int("url.port", 8443),
			},
		},
		{
			name: "zero port omitted",
			request: func() *http.Request {
				r := httptest.NewRequest("GET", "http://example.com:0/", nil)
				r.RemoteAddr = "10.0.0.1:1"
				return r
			},
			want: []zap.Field{
				zap.String("source.address", "10.0.0.1"),
				zap.String("http.request.method", "GET"),
				zap.String("url.path", "/"),
				zap.String("url.domain", "example.com"),
				zap.Int("http.response.code", 200),
				zap.Int("http.response.body.bytes", 196),
				zap.Int64("event.duration", 488282),
				zap.String("source.ip", "10.0.0.1"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.request()
			got := appendAccessLogFields(nil, r, 200, 196, 488282*time.Nanosecond)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

func TestAccessLogMessage(t *testing.T) {
	r := httptest.NewRequest("POST", "http://localhost/search?x=1", nil)
	if got := AccessLogMessage(r); got != "POST /search HTTP/1.1" {
		t.Errorf("message %q", got)
	}
	r.Proto = "HTTP/2.0"
	if got := AccessLogMessage(r); got != "POST /search HTTP/2.0" {
		t.Errorf("message %q", got)
	}
}

func TestLogAccessLine(t *testing.T) {
	var buf bytes.Buffer
	logger, err := NewLoggerTo(&buf, "ecs", zapcore.InfoLevel, Service{Name: "package-registry"})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "http://localhost:8080/categories", nil)
	r.RemoteAddr = "127.0.0.1:4000"
	LogAccess(NewAccessLogger(logger), r, 404, 19, time.Millisecond)

	line := logLines(&buf)[0]
	wantKeys := []string{"log.level", "@timestamp", "log.logger", "message", "service.name", "service.version",
		"source.address", "http.request.method", "url.path", "url.domain", "http.response.code",
		"http.response.body.bytes", "event.duration", "source.ip", "url.port", "ecs.version"}
	if got := keyOrder(t, line); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("keys %q\nwant %q", got, wantKeys)
	}
	m := decodeLine(t, line)
	if m["message"] != "GET /categories HTTP/1.1" || m["log.logger"] != "http" || m["event.duration"] != float64(1e6) {
		t.Errorf("line %s", line)
	}
}
