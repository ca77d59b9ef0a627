package server

import (
	"net/http"

	"github.com/gorilla/mux"
)

// Route templates, registered in this order (api.md §1). They are also the
// `path` label of the HTTP metrics (operations.md §6), so they must stay
// byte-identical to upstream's.
const (
	RouteIndex        = "/"
	RouteIndexJSON    = "/index.json"
	RouteSearch       = "/search"
	RouteCategories   = "/categories"
	RouteHealth       = "/health"
	RouteFavicon      = "/favicon.ico"
	RouteArtifact     = "/epr/{packageName}/{packageName:[a-z0-9_]+}-{packageVersion}.zip"
	RouteSignature    = "/epr/{packageName}/{packageName:[a-z0-9_]+}-{packageVersion}.zip.sig"
	RoutePackageIndex = "/package/{packageName:[a-z0-9_]+}/{packageVersion}/"
	RouteStatic       = "/package/{packageName}/{packageVersion}/{name:.*}"
)

// Route variable names. The artifact and signature templates use
// packageName twice; mux keeps the last capture, which is the file-name part
// (api.md §1: the segment after /epr/ is ignored).
const (
	varName    = "packageName"
	varVersion = "packageVersion"
	varFile    = "name"
)

// routes builds the route table and the middleware chain of §4.3.
func (s *server) routes() http.Handler {
	r := mux.NewRouter().StrictSlash(true)
	r.NotFoundHandler = http.HandlerFunc(notFound)
	if s.opts.Trace != nil {
		// Unmatched paths get APM only (no CORS, metrics or access log).
		r.NotFoundHandler = s.opts.Trace(r.NotFoundHandler)
	}

	handle := func(template string, h http.HandlerFunc) {
		r.Handle(template, &routeHandler{handler: h, chain: s.chain(h)})
	}
	handle(RouteIndex, s.index)
	handle(RouteIndexJSON, s.index)
	handle(RouteSearch, s.search)
	handle(RouteCategories, s.categories)
	handle(RouteHealth, health)
	handle(RouteFavicon, s.favicon)
	handle(RouteArtifact, s.artifact)
	handle(RouteSignature, s.signature)
	handle(RoutePackageIndex, s.packageIndex)
	handle(RouteStatic, s.static)

	// Middleware runs only for matched routes (including StrictSlash
	// redirects); the not-found handler and path-cleaning redirects get
	// none of it. mux calls a middleware for every request, to wrap the
	// matched handler again: a route's chain is built once here and
	// handed back, only the redirects mux makes get theirs per request.
	r.Use(func(next http.Handler) http.Handler {
		if rh, ok := next.(*routeHandler); ok {
			return rh.chain
		}
		return s.chain(next)
	})
	return r
}

// routeHandler is a route's handler and its middleware chain (chain).
type routeHandler struct {
	handler http.Handler
	chain   http.Handler
}

func (h *routeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.handler.ServeHTTP(w, r)
}

// chain wraps h in the middleware of §4.3, outermost first: CORS,
// instrumentation, tracing, access log, panic recovery.
func (s *server) chain(h http.Handler) http.Handler {
	h = s.recoverPanics(h)
	h = s.accessLog(h)
	if s.opts.Trace != nil {
		h = s.opts.Trace(h)
	}
	if s.opts.Instrument != nil {
		h = s.opts.Instrument(h)
	}
	return cors(h)
}

// RouteTemplate is the template of the route that matched r, or "unknown"
// (the metrics path label of operations.md §6).
func RouteTemplate(r *http.Request) string {
	if route := mux.CurrentRoute(r); route != nil {
		if t, err := route.GetPathTemplate(); err == nil {
			return t
		}
	}
	return "unknown"
}

// notFound is the unknown-path answer of api.md §4: no-store, no CORS.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, errUnknownPath)
}
