package logging

import (
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
)

// BenchmarkAccessLog: one access-log line of a typical Kibana request,
// encoded and written to io.Discard.
func BenchmarkAccessLog(b *testing.B) {
	logger, err := NewLoggerTo(io.Discard, LogTypeECS, zapcore.InfoLevel, Service{Name: "package-registry"})
	if err != nil {
		b.Fatal(err)
	}
	access := NewAccessLogger(logger)
	r := httptest.NewRequest("GET", "http://localhost:8080/search?package=nginx&prerelease=true&kibana.version=8.15.0", nil)
	r.Header.Set("User-Agent", "Kibana/8.15.0")
	b.ReportAllocs()
	for b.Loop() {
		LogAccess(access, r, 200, 1557, 35*time.Microsecond)
	}
}
