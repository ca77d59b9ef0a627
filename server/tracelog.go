package server

import (
	"net/http"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
)

// reqLog is the logger for lines written on behalf of r: with APM on, they
// carry the request's trace.id and transaction.id after the constant
// fields, so that a log line can be found from its trace and back. With
// APM off it is the server's logger.
func (s *server) reqLog(r *http.Request) *zap.Logger {
	if fields := apmlite.TraceFields(r.Context()); fields != nil {
		return s.log.With(fields...)
	}
	return s.log
}
