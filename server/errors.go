package server

import (
	"errors"
	"net/http"

	"go.uber.org/zap"
)

// cachePolicy says what an error response does with Cache-Control.
type cachePolicy int

const (
	// keepCache leaves whatever the handler already set: nothing for
	// failures before the file routes set their public headers, the public
	// headers after that (api.md §7.3).
	keepCache cachePolicy = iota
	// noStore replaces them with max-age=0 / private, no-store.
	noStore
)

// apiError is every error answer of api.md §8: a plain error with a fixed
// status, text and cache policy. cause and logMsg are only logged.
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
	// before looking for the file (upstream quirk, api.md §14.4).
	errResourceNotFound = &apiError{status: http.StatusNotFound, msg: "resource not found", cache: keepCache}
)

// badRequest is a 400 for an invalid query; msg is the exact text of
// search.md §3.
func badRequest(msg string) error {
	return &apiError{status: http.StatusBadRequest, msg: msg, cache: noStore}
}

// indexerNotFound is how /search and /categories report indexer failures:
// a 404 with the error text (api.md §8).
func indexerNotFound(msg string) error {
	return &apiError{status: http.StatusNotFound, msg: msg, cache: noStore}
}

// internalError hides cause behind the generic 500 text; cause is logged.
func internalError(cause error) error {
	return &apiError{status: http.StatusInternalServerError, msg: "internal server error", cache: keepCache, cause: cause}
}

// proxyError is a failed call to the proxied registry: a 500, logged as
// "proxy mode: <what> failed" (operations.md §9.2).
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
