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

	index := http.HandlerFunc(s.index)
	r.Handle(RouteIndex, index)
	r.Handle(RouteIndexJSON, index)
	r.HandleFunc(RouteSearch, s.search)
	r.HandleFunc(RouteCategories, s.categories)
	r.HandleFunc(RouteHealth, health)
	r.HandleFunc(RouteFavicon, s.favicon)
	r.HandleFunc(RouteArtifact, s.artifact)
	r.HandleFunc(RouteSignature, s.signature)
	r.HandleFunc(RoutePackageIndex, s.packageIndex)
	r.HandleFunc(RouteStatic, s.static)

	// Middleware runs only for matched routes (including StrictSlash
	// redirects); the not-found handler and path-cleaning redirects get
	// none of it.
	r.Use(cors)
	if s.opts.Instrument != nil {
		r.Use(s.opts.Instrument)
	}
	if s.opts.Trace != nil {
		r.Use(s.opts.Trace)
	}
	r.Use(s.accessLog)
	r.Use(s.recoverPanics)
	return r
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
