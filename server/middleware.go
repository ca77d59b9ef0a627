package server

import (
	"fmt"
	"net/http"
	"path"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/internal/respwriter"
	"github.com/eprgo/package-registry/logging"
)

// cors sets the header before the handler runs so that every answer of a
// matched route carries it, redirects and errors included (docs/api.md).
// OPTIONS is not a preflight: it runs the route like GET.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Access-Control-Allow-Origin"] = allowAnyOrigin
		next.ServeHTTP(w, r)
	})
}

// allowAnyOrigin is shared by every answer (see setPublicCache).
var allowAnyOrigin = []string{"*"}

// observe wraps a matched route (routed) or the not-found handler in the
// one response writer (respwriter) and does, around the handler, what needs
// to see the answer: the APM transaction, the access-log line (routed
// requests only), panic recovery and the write-stall deadline. One wrapper
// serves them all, so an answer costs one wrapping.
func (s *server) observe(next http.Handler, routed bool) http.Handler {
	var accessLogger *zap.Logger
	if routed {
		accessLogger = logging.NewAccessLogger(s.log)
		if !accessLogger.Core().Enabled(zapcore.InfoLevel) {
			// -log-level above info: nothing to build per request.
			accessLogger = nil
		}
	}
	tracer, stall := s.opts.Tracer, s.opts.WriteStallTimeout
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var start time.Time
		if accessLogger != nil {
			start = time.Now()
		}
		var tx *apmlite.Transaction
		if tracer != nil {
			tx, r = tracer.StartRequest(apmlite.MuxRouteName(r), r)
		}
		w, rsp := respwriter.Wrap(w, stall)
		// Deferred, so that an aborted answer is logged and traced too.
		defer func() {
			abort := s.recoverPanic(w, r, rsp, recover())
			// Only the exact request-URI is silenced: /health?ready=true
			// is logged, as upstream does.
			if accessLogger != nil && r.RequestURI != "/health" {
				logging.LogAccess(accessLogger, r, rsp.Status(), int(rsp.Bytes()), time.Since(start))
			}
			tx.EndRequest(rsp.Status(), rsp.Started(), abort)
			if abort {
				// The client must not take a cut answer for a whole one.
				panic(http.ErrAbortHandler)
			}
			rsp.Done()
		}()
		next.ServeHTTP(w, r)
	})
}

// recoverPanic turns a handler panic (v, nil if none) into a 500 instead of
// letting it reach net/http, and tells whether the connection must be
// aborted instead: when the answer had already started, or when the
// handler itself asked for it (http.ErrAbortHandler).
func (s *server) recoverPanic(w http.ResponseWriter, r *http.Request, rsp *respwriter.Response, v any) (abort bool) {
	if v == nil {
		return false
	}
	if v == http.ErrAbortHandler {
		return true
	}
	s.reqLog(r).Error("panic serving request",
		zap.String("url.path", r.URL.Path),
		zap.String("error.message", fmt.Sprint(v)))
	if rsp.Started() {
		return true
	}
	h := w.Header()
	for k := range h {
		// Only CORS survives: anything else the handler set
		// (Cache-Control, Content-Type…) described another answer.
		if k != "Access-Control-Allow-Origin" {
			h.Del(k)
		}
	}
	writeError(w, internalError(nil).(*apiError))
	return false
}

// withWriteStallTimeout gives the answers of next the write-stall deadline
// alone (see respwriter.Wrap). The router uses it for the requests that
// reach no route nor the not-found handler: mux's path-cleaning redirects.
func withWriteStallTimeout(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w, rsp := respwriter.Wrap(w, d)
		next.ServeHTTP(w, r)
		rsp.Done()
	})
}

// redirectsToCleanPath tells whether mux answers p with its path-cleaning
// redirect: its cleaned form (path.Clean, keeping a trailing slash)
// differs from p. It allocates nothing for a clean path.
func redirectsToCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return true
	}
	clean := path.Clean(p)
	if p[len(p)-1] == '/' && clean != "/" {
		return len(clean)+1 != len(p) || p[:len(clean)] != clean
	}
	return clean != p
}
