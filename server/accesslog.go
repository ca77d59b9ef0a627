package server

import (
	"net/http"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/eprgo/package-registry/logging"
)

// accessLog writes one info line per routed request on the "http" logger,
// after the handler (operations.md §5.4). The line is written from a defer
// so that an aborted request is logged too.
func (s *server) accessLog(next http.Handler) http.Handler {
	logger := logging.NewAccessLogger(s.log)
	if !logger.Core().Enabled(zapcore.InfoLevel) {
		// -log-level above info: nothing to build per request.
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Only the exact request-URI is silenced: /health?ready=true is
		// logged (upstream quirk, operations.md §4.4).
		if r.RequestURI == "/health" {
			next.ServeHTTP(w, r)
			return
		}
		rec := asRecorder(w)
		start := time.Now()
		defer func() {
			logging.LogAccess(logger, r, rec.statusCode(), int(rec.bytes), time.Since(start))
		}()
		next.ServeHTTP(rec, r)
	})
}
