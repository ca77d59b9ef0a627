package logging

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
)

// AccessLoggerName is the logger name of access-log lines.
const AccessLoggerName = "http"

// NewAccessLogger derives the access logger from the process logger: named
// "http" and without log.origin, which upstream's access lines do not have.
func NewAccessLogger(logger *zap.Logger) *zap.Logger {
	return logger.Named(AccessLoggerName).WithOptions(zap.WithCaller(false))
}

// LogAccess writes the access-log line of a finished request at info level
// with upstream's fields, which log pipelines parse. status is what the
// handler wrote (200 if nothing),
// size the body bytes written, dur the handler time. With APM on, the
// request's trace.id and transaction.id come first, right after the
// constant fields, where upstream's agent puts them.
func LogAccess(accessLogger *zap.Logger, r *http.Request, status, size int, dur time.Duration) {
	// The fields go to a pooled slice: zap does not keep them past the
	// call, and a fresh one was the largest allocation of a cached answer.
	buf := accessFieldsPool.Get().(*[]zap.Field)
	fields := (*buf)[:0]
	if trace := apmlite.TraceFields(r.Context()); trace != nil {
		fields = append(fields, trace...)
	}
	fields = appendAccessLogFields(fields, r, status, size, dur)
	accessLogger.Info(AccessLogMessage(r), fields...)
	clear(fields) // no request data kept alive in the pool
	*buf = fields[:0]
	accessFieldsPool.Put(buf)
}

var accessFieldsPool = sync.Pool{New: func() any {
	s := make([]zap.Field, 0, 16)
	return &s
}}

// AccessLogMessage is "<METHOD> <path> <proto>", e.g. "GET /search HTTP/1.1".
func AccessLogMessage(r *http.Request) string {
	return r.Method + " " + r.URL.Path + " " + r.Proto
}

// appendAccessLogFields appends the access-log fields in upstream's order.
// Remote address headers such as X-Forwarded-For are deliberately ignored.
func appendAccessLogFields(fields []zap.Field, r *http.Request, status, size int, dur time.Duration) []zap.Field {
	source := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		source = host
	}
	domain, port := splitHost(r.Host)

	fields = append(fields,
		zap.String("source.address", source),
		zap.String("http.request.method", r.Method),
		zap.String("url.path", r.URL.Path),
		zap.String("url.domain", domain),
		zap.Int("http.response.code", status),
		zap.Int("http.response.body.bytes", size),
		zap.Int64("event.duration", dur.Nanoseconds()),
	)
	if net.ParseIP(source) != nil {
		fields = append(fields, zap.String("source.ip", source))
	} else {
		fields = append(fields, zap.String("source.domain", source))
	}
	if _, ok := r.Header["Referer"]; ok {
		fields = append(fields, zap.String("http.request.referer", r.Header.Get("Referer")))
	}
	if ua := r.UserAgent(); ua != "" {
		fields = append(fields, zap.String("user_agent.original", ua))
	}
	if r.URL.RawQuery != "" {
		fields = append(fields, zap.String("url.query", r.URL.RawQuery))
	}
	if port > 0 {
		fields = append(fields, zap.Int("url.port", port))
	}
	return fields
}

// splitHost splits a Host header into the host, with IPv6 literals
// re-wrapped in brackets, and the port (0 when absent or not a number).
func splitHost(hostport string) (string, int) {
	host, portText, err := net.SplitHostPort(hostport)
	if err != nil {
		host, portText = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]"), ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 {
		port = 0
	}
	return host, port
}
