package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"
	"go.uber.org/zap"
)

// The routers split by first segment answer every path as one router with
// the whole table does: same route, same redirect, same 404, middleware on
// the same answers.
func TestSegmentRoutesMatchOneRouter(t *testing.T) {
	templates := []string{
		RouteIndex, RouteIndexJSON, RouteSearch, RouteCategories, RouteHealth, RouteFavicon,
		RouteArtifact, RouteSignature, RoutePackageIndex, RouteStatic,
	}
	var table []route
	for _, tpl := range templates {
		table = append(table, route{tpl, func(w http.ResponseWriter, r *http.Request) error {
			_, err := w.Write([]byte(tpl + " " + mux.Vars(r)[varName] + " " + mux.Vars(r)[varVersion] + " " + mux.Vars(r)[varFile]))
			return err
		}})
	}
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "none", 404) })
	chain := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tpl, _ := mux.CurrentRoute(r).GetPathTemplate()
			w.Header().Set("X-Chain", tpl)
			next.ServeHTTP(w, r)
		})
	}
	serve := (&server{log: zap.NewNop()}).serve
	split := segmentRoutes(table, serve, notFound, chain)
	one := mux.NewRouter().StrictSlash(true)
	one.NotFoundHandler = notFound
	for _, rt := range table {
		one.Handle(rt.template, serve(rt.handler))
	}
	one.Use(chain)

	paths := []string{
		"/", "/index.json", "/search", "/search/", "/categories/", "/health", "/favicon.ico",
		"/package", "/package/", "/package/alpha", "/package/alpha/", "/package/alpha/1.0.0",
		"/package/alpha/1.0.0/", "/package/alpha/1.0.0/docs/README.md", "/package/Alpha/1.0.0/",
		"/package/alpha/1.0.0//x", "/package/../search", "/package/./alpha/1.0.0/", "//package/alpha/1.0.0/",
		"/epr", "/epr/", "/epr/alpha", "/epr/alpha/alpha-1.0.0.zip", "/epr/alpha/alpha-1.0.0.zip/",
		"/epr/alpha/alpha-1.0.0.zip.sig", "/epr/x/alpha-1.0.0.zip", "/epr/../package/alpha/1.0.0/",
		"/packages/alpha/1.0.0/", "/eprx/alpha/alpha-1.0.0.zip", "/search/../epr/a/a-1.zip",
		"/index.json/", "/nope", "/package/alpha/1.0.0/%2e%2e/x", "/epr/a/a-1.0.0.zip%2fx",
	}
	for _, p := range paths {
		for _, method := range []string{"GET", "HEAD", "OPTIONS"} {
			want, got := httptest.NewRecorder(), httptest.NewRecorder()
			one.ServeHTTP(want, httptest.NewRequest(method, p, nil))
			split.ServeHTTP(got, httptest.NewRequest(method, p, nil))
			if got.Code != want.Code || got.Body.String() != want.Body.String() ||
				got.Header().Get("Location") != want.Header().Get("Location") ||
				got.Header().Get("X-Chain") != want.Header().Get("X-Chain") {
				t.Errorf("%s %s: split router %d %q (Location %q, chain %q), one router %d %q (Location %q, chain %q)",
					method, p, got.Code, got.Body, got.Header().Get("Location"), got.Header().Get("X-Chain"),
					want.Code, want.Body, want.Header().Get("Location"), want.Header().Get("X-Chain"))
			}
		}
	}
}
