package server

import (
	"errors"
	"net/http"

	"go.uber.org/zap"
)

// handlerFunc is the shape of every route handler: it writes a successful
// answer itself and returns a failure instead of writing it, so that the
// status, text, cache headers and log line of an error are decided in one
// place (serve). A handler that has already started its answer must not
// return an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// serve is the one adapter between a handlerFunc and net/http: a returned
// error becomes the plain-text error answer of fail.
func (s *server) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// cachePolicy says what an error response does with Cache-Control.
type cachePolicy int

const (
	// keepCache leaves whatever the handler already set: nothing for
	// failures before the file routes set their public headers, the public
	// headers after that (upstream sets them before it opens the file, and
	// clients and caches see them on those errors).
	keepCache cachePolicy = iota
	// noStore replaces them with max-age=0 / private, no-store.
	noStore
)

// apiError is every error answer of the API (the catalogue is in
// docs/api.md): a plain error with a fixed status, text and cache policy.
// cause and logMsg are only logged.
type apiError struct {
	status int
	msg    string
	cache  cachePolicy
	cause  error
	logMsg string
}

func (e *apiError) Error() string { return e.msg }

func (e *apiError) Unwrap() error { return e.cause }

var (
	errUnknownPath       = &apiError{status: http.StatusNotFound, msg: "404 page not found", cache: noStore}
	errInvalidVersion    = &apiError{status: http.StatusBadRequest, msg: "invalid package version", cache: noStore}
	errPackageNotFound   = &apiError{status: http.StatusNotFound, msg: "package revision not found", cache: noStore}
	errArtifactNotFound  = &apiError{status: http.StatusNotFound, msg: "artifact not found", cache: noStore}
	errSignatureNotFound = &apiError{status: http.StatusNotFound, msg: "signature file not found", cache: noStore}
	// errResourceNotFound keeps the public headers the static handler set
	// before looking for the file: upstream's missing-file 404 carries
	// them, unlike its other client errors.
	errResourceNotFound = &apiError{status: http.StatusNotFound, msg: "resource not found", cache: keepCache}
)

// badRequest is a 400 for an invalid query; msg is the exact text the
// query parser gave (clients match some of them).
func badRequest(msg string) error {
	return &apiError{status: http.StatusBadRequest, msg: msg, cache: noStore}
}

// indexerNotFound is how /search and /categories report indexer failures:
// upstream answers them with a 404 carrying the error text.
func indexerNotFound(msg string) error {
	return &apiError{status: http.StatusNotFound, msg: msg, cache: noStore}
}

// internalError hides cause behind the generic 500 text; cause is logged.
func internalError(cause error) error {
	return &apiError{status: http.StatusInternalServerError, msg: "internal server error", cache: keepCache, cause: cause}
}

// proxyError is a failed call to the proxied registry: a 500, logged as
// "proxy mode: <what> failed", the line operators of proxy mode look for.
func proxyError(what string, cause error) error {
	ae := internalError(cause).(*apiError)
	ae.logMsg = "proxy mode: " + what + " failed"
	return ae
}

// fail writes err as a plain error. Anything that is not an apiError is an
// unexpected failure and becomes a 500.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = internalError(err).(*apiError)
	}
	if ae.status >= http.StatusInternalServerError {
		msg := ae.logMsg
		if msg == "" {
			msg = "internal server error"
		}
		s.reqLog(r).Error(msg, zap.String("url.path", r.URL.Path), zap.Error(ae.cause))
	}
	writeError(w, ae)
}

// writeError is the one place an apiError becomes an HTTP answer.
func writeError(w http.ResponseWriter, ae *apiError) {
	if ae.cache == noStore {
		setNoStore(w.Header())
	}
	http.Error(w, ae.msg, ae.status)
}
