package server

import (
	"net/http"
	"testing"
	"time"
)

const notFoundBody = "404 page not found\n"

func TestRouting(t *testing.T) {
	srv := startServer(t, defaultOptions(listIndexer{newFixture(t).pkgs}))

	cleanRedirect := func(location string) map[string][]string {
		return map[string][]string{
			"Location":                    {location},
			"Content-Length":              {"0"},
			"Content-Type":                absent,
			"Access-Control-Allow-Origin": absent,
			"Cache-Control":               absent,
		}
	}
	slashRedirect := func(location string) map[string][]string {
		return map[string][]string{
			"Location":                    {location},
			"Content-Type":                {"text/html; charset=utf-8"},
			"Access-Control-Allow-Origin": corsHeader,
			"Cache-Control":               absent,
		}
	}
	redirectBody := func(href string) string { return "<a href=\"" + href + "\">Moved Permanently</a>.\n\n" }

	runCases(t, srv, []httpCase{
		// §3.1 path cleaning: before routing, no middleware, no body.
		{name: "double slash", target: "//search", status: 301, headers: cleanRedirect("/search")},
		{name: "dot dot", target: "/package/alpha/1.0.0/../1.0.0/manifest.yml", status: 301,
			headers: cleanRedirect("/package/alpha/1.0.0/manifest.yml")},
		{name: "trailing double slash", target: "/package/alpha/1.0.0//", status: 301,
			headers: cleanRedirect("/package/alpha/1.0.0/")},
		{name: "clean keeps query", target: "/./search?package=alpha", status: 301,
			headers: cleanRedirect("/search?package=alpha")},
		{name: "encoded dot dot is cleaned", target: "/package/alpha/1.0.0/%2e%2e/%2e%2e/x", status: 301,
			headers: cleanRedirect("/package/x")},
		{name: "clean unknown path too", target: "//nope", status: 301, headers: cleanRedirect("/nope")},

		// §3.2 StrictSlash redirects: CORS, Go's redirect body.
		{name: "search slash", target: "/search/", status: 301, headers: slashRedirect("/search"),
			body: redirectBody("/search")},
		{name: "search slash keeps query", target: "/search/?package=alpha&all=true", status: 301,
			headers: slashRedirect("/search?package=alpha&all=true"),
			body:    redirectBody("/search?package=alpha&amp;all=true")},
		{name: "index.json slash", target: "/index.json/", status: 301, headers: slashRedirect("/index.json"), body: redirectBody("/index.json")},
		{name: "health slash", target: "/health/", status: 301, headers: slashRedirect("/health"), body: redirectBody("/health")},
		{name: "categories slash", target: "/categories/", status: 301, headers: slashRedirect("/categories"), body: redirectBody("/categories")},
		{name: "favicon slash", target: "/favicon.ico/", status: 301, headers: slashRedirect("/favicon.ico"), body: redirectBody("/favicon.ico")},
		{name: "package index adds slash", target: "/package/alpha/1.0.0", status: 301,
			headers: slashRedirect("/package/alpha/1.0.0/"), body: redirectBody("/package/alpha/1.0.0/")},
		{name: "static removes slash", target: "/package/alpha/1.0.0/docs/", status: 301,
			headers: slashRedirect("/package/alpha/1.0.0/docs"), body: redirectBody("/package/alpha/1.0.0/docs")},
		{name: "artifact slash", target: "/epr/alpha/alpha-1.0.0.zip/", status: 301,
			headers: slashRedirect("/epr/alpha/alpha-1.0.0.zip"), body: redirectBody("/epr/alpha/alpha-1.0.0.zip")},
		{name: "signature slash", target: "/epr/alpha/alpha-1.0.0.zip.sig/", status: 301,
			headers: slashRedirect("/epr/alpha/alpha-1.0.0.zip.sig"), body: redirectBody("/epr/alpha/alpha-1.0.0.zip.sig")},
		{name: "uppercase name goes to the static route", target: "/package/Alpha/1.0.0/", status: 301,
			headers: slashRedirect("/package/Alpha/1.0.0"), body: redirectBody("/package/Alpha/1.0.0")},
		{name: "redirect on HEAD has no body", method: http.MethodHead, target: "/search/", status: 301,
			headers: slashRedirect("/search")},
		{name: "redirect on POST has no type", method: http.MethodPost, target: "/search/", status: 301,
			headers: map[string][]string{"Location": {"/search"}, "Content-Type": absent,
				"Content-Length": {"0"}, "Access-Control-Allow-Origin": corsHeader}},

		// §4 unknown paths: no-store, no CORS.
		{name: "unknown", target: "/nope", status: 404, headers: plainError(noStoreCache, false), body: notFoundBody},
		{name: "case sensitive", target: "/SEARCH", status: 404, headers: plainError(noStoreCache, false), body: notFoundBody},
		{name: "package without version", target: "/package/alpha", status: 404, headers: plainError(noStoreCache, false), body: notFoundBody},
		{name: "epr without file", target: "/epr/alpha", status: 404, headers: plainError(noStoreCache, false), body: notFoundBody},
		{name: "uppercase artifact", target: "/epr/Alpha/Alpha-1.0.0.zip", status: 404, headers: plainError(noStoreCache, false), body: notFoundBody},
		{name: "tar.gz artifact", target: "/epr/alpha/alpha-1.0.tar.gz", status: 404, headers: plainError(noStoreCache, false), body: notFoundBody},
		{name: "metrics", target: "/metrics", status: 404, headers: plainError(noStoreCache, false), body: notFoundBody},
		{name: "pprof", target: "/debug/pprof/", status: 404, headers: plainError(noStoreCache, false), body: notFoundBody},
		{name: "after uppercase redirect", target: "/package/Alpha/1.0.0", status: 404, headers: plainError(noStoreCache, false), body: notFoundBody},
		{name: "unknown on POST", method: http.MethodPost, target: "/nope", status: 404, headers: plainError(noStoreCache, false), body: notFoundBody},
	})
}

func TestBasicRoutes(t *testing.T) {
	opts := defaultOptions(listIndexer{newFixture(t).pkgs})
	opts.CacheTimeIndex = 5 * time.Second
	opts.CacheTimeCatchAll = 3 * time.Hour
	srv := startServer(t, opts)

	indexHeaders := map[string][]string{
		"Content-Type":                {"application/json"},
		"Cache-Control":               public("5"),
		"Access-Control-Allow-Origin": corsHeader,
		"Content-Length":              {"72"},
		"Last-Modified":               absent,
	}
	health := map[string][]string{
		"Content-Length":              {"0"},
		"Content-Type":                absent,
		"Cache-Control":               absent,
		"Access-Control-Allow-Origin": corsHeader,
	}
	runCases(t, srv, []httpCase{
		{name: "root", target: "/", status: 200, headers: indexHeaders, golden: "index.json"},
		{name: "index.json", target: "/index.json", status: 200, headers: indexHeaders, golden: "index.json"},
		{name: "index ignores query", target: "/index.json?all=maybe", status: 200, headers: indexHeaders, golden: "index.json"},
		{name: "index on POST", method: http.MethodPost, target: "/", status: 200, headers: indexHeaders, golden: "index.json"},
		{name: "index on HEAD", method: http.MethodHead, target: "/", status: 200, headers: indexHeaders},
		{name: "health", target: "/health", status: 200, headers: health},
		{name: "health ready", target: "/health?ready=true", status: 200, headers: health},
		{name: "health HEAD", method: http.MethodHead, target: "/health", status: 200, headers: map[string][]string{
			"Content-Length":              absent,
			"Content-Type":                absent,
			"Cache-Control":               absent,
			"Access-Control-Allow-Origin": corsHeader,
		}},
		{name: "health DELETE", method: http.MethodDelete, target: "/health", status: 200, headers: health},
		{name: "health OPTIONS with origin", method: http.MethodOptions, target: "/health",
			header: map[string]string{"Origin": "https://kibana.example", "Access-Control-Request-Method": "GET"},
			status: 200, headers: map[string][]string{
				"Access-Control-Allow-Origin":  corsHeader,
				"Access-Control-Allow-Methods": absent,
				"Access-Control-Allow-Headers": absent,
				"Vary":                         absent,
			}},
		{name: "favicon", target: "/favicon.ico", status: 200, anyBody: true, headers: map[string][]string{
			"Content-Type":                {"image/x-icon"},
			"Cache-Control":               public("10800"),
			"Access-Control-Allow-Origin": corsHeader,
			"Last-Modified":               absent,
			"Accept-Ranges":               absent,
		}},
		{name: "favicon ignores range", target: "/favicon.ico", header: map[string]string{"Range": "bytes=0-9"},
			status: 200, anyBody: true, headers: map[string][]string{"Content-Range": absent}},
	})
}

func TestIndexServiceName(t *testing.T) {
	opts := defaultOptions(listIndexer{})
	opts.ServiceName = "my-epr"
	opts.ServiceVersion = "9.9.9"
	srv := startServer(t, opts)
	runCases(t, srv, []httpCase{
		{name: "custom", target: "/", status: 200,
			body: "{\n  \"service.name\": \"my-epr\",\n  \"service.version\": \"9.9.9\"\n}\n"},
	})
}

func TestFaviconIsAnIcon(t *testing.T) {
	srv := startServer(t, defaultOptions(listIndexer{}))
	_, body := do(t, srv, "", "/favicon.ico", nil)
	// ICONDIR: reserved 0, type 1 (icon), at least one image.
	if len(body) < 22 || body[0] != 0 || body[1] != 0 || body[2] != 1 || body[3] != 0 || body[4] == 0 {
		t.Fatalf("favicon is not an ICO file: % x", body[:min(len(body), 8)])
	}
	if ct := http.DetectContentType(body); ct != "image/x-icon" {
		t.Errorf("sniffed type = %q, want image/x-icon", ct)
	}
}

func TestNewRouterRejectsBadOptions(t *testing.T) {
	good := defaultOptions(listIndexer{})
	for name, edit := range map[string]func(*Options){
		"no indexer":      func(o *Options) { o.Indexer = nil },
		"zero index time": func(o *Options) { o.CacheTimeIndex = 0 },
		"negative search": func(o *Options) { o.CacheTimeSearch = -1 },
		"zero categories": func(o *Options) { o.CacheTimeCategories = 0 },
		"zero catch all":  func(o *Options) { o.CacheTimeCatchAll = 0 },
	} {
		t.Run(name, func(t *testing.T) {
			o := good
			edit(&o)
			if _, err := NewRouter(o); err == nil {
				t.Error("NewRouter accepted the options")
			}
		})
	}
}
