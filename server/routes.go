package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
)

// Route templates, registered in this order (the first match wins, see
// docs/api.md). They are also the `path` label of the HTTP metrics, which
// dashboards built for upstream select on, so they must stay byte-identical
// to upstream's.
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
// packageName twice; mux keeps the last capture, which is the file-name part:
// the segment after /epr/ is ignored, as upstream ignores it.
const (
	varName    = "packageName"
	varVersion = "packageVersion"
	varFile    = "name"
)

// routes builds the route table, the one place where routes are declared,
// and wraps each handler in serve and the middleware chain.
//
// The table is served by three mux routers, chosen by the path's first
// segment: one for /package/… (the package document and static files),
// one for /epr/… (artifacts and signatures), one for the rest. mux tries
// routes one regular expression after the other, and the package routes,
// which Fleet asks most after /search, came after eight others. No template
// of one router can match a path of another, every router has the same
// settings (path cleaning, StrictSlash, not-found handler, middleware) and
// keeps the table's order, so answers are those of one router with the
// whole table.
func (s *server) routes() http.Handler {
	table := []route{
		{RouteIndex, s.index},
		{RouteIndexJSON, s.index},
		{RouteSearch, s.search},
		{RouteCategories, s.categories},
		{RouteHealth, health},
		{RouteFavicon, s.favicon},
		{RouteArtifact, s.artifact},
		{RouteSignature, s.signature},
		{RoutePackageIndex, s.packageIndex},
		{RouteStatic, s.static},
	}
	notFoundHandler := http.Handler(http.HandlerFunc(notFound))
	if s.opts.Tracer != nil || s.opts.WriteStallTimeout > 0 {
		// Unmatched paths get APM and the write-stall deadline only (no
		// CORS, metrics or access log).
		notFoundHandler = s.observe(notFoundHandler, false)
	}
	sr := segmentRoutes(table, s.serve, notFoundHandler, s.chain)
	sr.writeStallTimeout = s.opts.WriteStallTimeout
	return sr
}

// route is a row of the route table.
type route struct {
	template string
	handler  handlerFunc
}

// segmentRoutes builds the routers of the table (see routes). serve turns a
// handler into an http.Handler, chain wraps a matched handler in the
// middleware.
func segmentRoutes(table []route, serve func(handlerFunc) http.Handler, notFoundHandler http.Handler, chain func(http.Handler) http.Handler) *segmentRouter {
	// Middleware runs only for matched routes (including StrictSlash
	// redirects); the not-found handler and path-cleaning redirects get
	// none of it. mux calls a middleware for every request, to wrap the
	// matched handler again: a route's chain is built once here and
	// handed back, only the redirects mux makes get theirs per request.
	middleware := func(next http.Handler) http.Handler {
		if rh, ok := next.(*routeHandler); ok {
			return rh.chain
		}
		return chain(next)
	}
	var sr segmentRouter
	for n := range sr.routers {
		r := mux.NewRouter().StrictSlash(true)
		r.NotFoundHandler = notFoundHandler
		r.Use(middleware)
		sr.routers[n] = r
	}
	for _, route := range table {
		h := serve(route.handler)
		sr.routers[segment(route.template)].Handle(route.template, &routeHandler{handler: h, chain: chain(h)})
	}
	return &sr
}

// segmentRouter is a router per first path segment (see routes), indexed
// by segment: the same function places the templates and the requests.
type segmentRouter struct {
	routers [3]*mux.Router
	// writeStallTimeout, when > 0, is given to mux's path-cleaning
	// redirects, the only answers no route or not-found handler observes
	// (see server.observe): net/http clears the deadline after each
	// answer, so without it a client that stops reading could hold such a
	// connection for ever.
	writeStallTimeout time.Duration
}

// segment tells which router a path, or a route template, belongs to.
func segment(path string) int {
	switch {
	case strings.HasPrefix(path, "/package/"):
		return 1
	case strings.HasPrefix(path, "/epr/"):
		return 2
	}
	return 0
}

func (sr *segmentRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	router := sr.routers[segment(r.URL.Path)]
	if sr.writeStallTimeout > 0 && redirectsToCleanPath(r.URL.Path) {
		withWriteStallTimeout(router, sr.writeStallTimeout).ServeHTTP(w, r)
		return
	}
	router.ServeHTTP(w, r)
}

// routeHandler is a route's handler and its middleware chain (chain).
type routeHandler struct {
	handler http.Handler
	chain   http.Handler
}

func (h *routeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.handler.ServeHTTP(w, r)
}

// chain wraps h in the middleware, outermost first: CORS (so that every
// answer carries it), instrumentation (metrics see the answer as sent,
// 500 of a recovered panic included), then observe: tracing, access log,
// panic recovery and the write-stall deadline around one response writer.
func (s *server) chain(h http.Handler) http.Handler {
	h = s.observe(h, true)
	if s.opts.Instrument != nil {
		h = s.opts.Instrument(h)
	}
	return cors(h)
}

// RouteTemplate is the template of the route that matched r, or "unknown":
// the `path` label of the HTTP metrics.
func RouteTemplate(r *http.Request) string {
	if route := mux.CurrentRoute(r); route != nil {
		if t, err := route.GetPathTemplate(); err == nil {
			return t
		}
	}
	return "unknown"
}

// notFound is the unknown-path answer: no-store, and no CORS because mux
// runs no middleware for it (upstream's answer has none either).
func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, errUnknownPath)
}
