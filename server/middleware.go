package server

import (
	"fmt"
	"io"
	"net/http"

	"go.uber.org/zap"
)

// cors sets the header before the handler runs so that every answer of a
// matched route carries it, redirects and errors included (api.md §6).
// OPTIONS is not a preflight: it runs the route like GET.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Access-Control-Allow-Origin"] = allowAnyOrigin
		next.ServeHTTP(w, r)
	})
}

// allowAnyOrigin is shared by every answer (see setPublicCache).
var allowAnyOrigin = []string{"*"}

// recoverPanics turns a handler panic into a 500 instead of letting it
// reach net/http. When the response has already started, the connection is
// aborted so the client cannot mistake a cut body for a complete one.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := asRecorder(w)
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.reqLog(r).Error("panic serving request",
				zap.String("url.path", r.URL.Path),
				zap.String("error.message", fmt.Sprint(v)))
			if rec.wroteHeader {
				panic(http.ErrAbortHandler)
			}
			h := rec.Header()
			for k := range h {
				// Only CORS survives: anything else the handler set
				// (Cache-Control, Content-Type…) described another answer.
				if k != "Access-Control-Allow-Origin" {
					h.Del(k)
				}
			}
			writeError(rec, internalError(nil).(*apiError))
		}()
		next.ServeHTTP(rec, r)
	})
}

// recorder remembers the status and body size of a response (access log,
// panic recovery). It is created once per request and reused by the inner
// middleware.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func asRecorder(w http.ResponseWriter) *recorder {
	if rec, ok := w.(*recorder); ok {
		return rec
	}
	return &recorder{ResponseWriter: w}
}

func (rec *recorder) WriteHeader(code int) {
	if !rec.wroteHeader && code >= 200 {
		rec.status = code
		rec.wroteHeader = true
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(p []byte) (int, error) {
	if !rec.wroteHeader {
		rec.WriteHeader(http.StatusOK)
	}
	n, err := rec.ResponseWriter.Write(p)
	rec.bytes += int64(n)
	return n, err
}

// ReadFrom keeps net/http's sendfile path for files served through the
// wrapper.
func (rec *recorder) ReadFrom(src io.Reader) (int64, error) {
	if !rec.wroteHeader {
		rec.WriteHeader(http.StatusOK)
	}
	n, err := io.Copy(rec.ResponseWriter, src)
	rec.bytes += n
	return n, err
}

// Flush lets the streamed artifact force chunked encoding through the
// wrapper.
func (rec *recorder) Flush() {
	if !rec.wroteHeader {
		rec.WriteHeader(http.StatusOK)
	}
	if f, ok := rec.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController access to the real writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// statusCode is what the access log reports: 200 when nothing was written.
func (rec *recorder) statusCode() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}
