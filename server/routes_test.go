package server

import (
	"net/http"
	"path/filepath"
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
		// Path cleaning: before routing, no middleware, no body.
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

		// StrictSlash redirects: CORS, Go's redirect body.
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

		// Unknown paths: no-store, no CORS.
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
		{name: "root", target: "/", status: 200, headers: indexHeaders, golden: "index.json",
			fields: []jsonField{{"service.name", "package-registry"}, {"service.version", "1.40.1"}}},
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

// TestMainRoutesByHand checks the answers of the main routes against values
// written here by hand: statuses, header values, JSON fields and the key
// order of the documents. The golden files beside the other tests are
// rewritten from whatever the server answers by -update; these values are
// not, so a wrong -update cannot bless a wrong answer. (The golden cases
// elsewhere carry a few hand-written fields too.)
func TestMainRoutesByHand(t *testing.T) {
	f := newFixture(t)
	srv := startServer(t, defaultOptions(listIndexer{f.pkgs}))
	gammaZip := readFixture(t, filepath.Join(f.zips, "gamma-1.2.0.zip"))
	manifest := readFixture(t, filepath.Join(f.root, "alpha", "1.0.0", "manifest.yml"))

	jsonHeaders := func(maxAge string) map[string][]string {
		return map[string][]string{
			"Content-Type":                {"application/json"},
			"Cache-Control":               public(maxAge),
			"Access-Control-Allow-Origin": corsHeader,
			"Last-Modified":               absent,
			"Accept-Ranges":               absent,
		}
	}
	indexBody := "{\n  \"service.name\": \"package-registry\",\n  \"service.version\": \"1.40.1\"\n}\n"
	indexHeaders := jsonHeaders("10")
	indexHeaders["Content-Length"] = []string{"72"}
	searchKeys := []string{"name", "title", "version", "release", "description", "type", "download", "path",
		"conditions", "owner", "categories", "signature_path"}

	runCases(t, srv, []httpCase{
		{name: "index", target: "/", status: 200, headers: indexHeaders, body: indexBody},
		{name: "index.json", target: "/index.json", status: 200, headers: indexHeaders, body: indexBody,
			keys: []string{"service.name", "service.version"}},
		{name: "search", target: "/search", status: 200, headers: jsonHeaders("600"), anyBody: true,
			keys: searchKeys,
			fields: []jsonField{
				{"#", 3},
				{"0/name", "alpha"}, {"0/version", "1.0.0"}, {"0/release", "ga"},
				{"0/download", "/epr/alpha/alpha-1.0.0.zip"}, {"0/path", "/package/alpha/1.0.0"},
				{"0/conditions/kibana/version", "^8.0.0"}, {"0/owner/github", "elastic/epr-clone"},
				{"0/categories/#", 1}, {"0/categories/0", "web"}, {"0/signature_path", "/epr/alpha/alpha-1.0.0.zip.sig"},
				{"1/name", "delta"}, {"1/version", "1.0.0+build1"}, {"1/type", "input"},
				{"1/download", "/epr/delta/delta-1.0.0+build1.zip"},
				{"2/name", "gamma"}, {"2/categories/0", "aws"}, {"2/signature_path", "/epr/gamma/gamma-1.2.0.zip.sig"},
			}},
		{name: "search prerelease", target: "/search?package=alpha&prerelease=true", status: 200,
			headers: jsonHeaders("600"), anyBody: true,
			fields: []jsonField{{"#", 1}, {"0/version", "2.0.0-beta1"}, {"0/release", "beta"}, {"0/categories/#", 2}}},
		{name: "search all versions", target: "/search?package=alpha&prerelease=true&all=true", status: 200,
			headers: jsonHeaders("600"), anyBody: true,
			fields: []jsonField{{"#", 2}, {"0/version", "1.0.0"}, {"1/version", "2.0.0-beta1"}}},
		{name: "search nothing", target: "/search?package=nonexistent", status: 200, body: "[]",
			headers: map[string][]string{"Content-Type": {"application/json"}, "Content-Length": {"2"}, "Cache-Control": public("600")}},
		{name: "categories", target: "/categories", status: 200, headers: jsonHeaders("600"), anyBody: true,
			keys: []string{"id", "title", "count"},
			fields: []jsonField{
				{"#", 2},
				{"0/id", "aws"}, {"0/title", "AWS"}, {"0/count", float64(1)},
				{"1/id", "web"}, {"1/title", "Web Server"}, {"1/count", float64(1)},
				{"1/parent_id", "observability"}, {"1/parent_title", "Observability"},
			}},
		{name: "package document", target: "/package/alpha/1.0.0/", status: 200, headers: jsonHeaders("10"), anyBody: true,
			fields: []jsonField{
				{"name", "alpha"}, {"version", "1.0.0"}, {"format_version", "3.0.0"}, {"license", "basic"},
				{"readme", "/package/alpha/1.0.0/docs/README.md"}, {"download", "/epr/alpha/alpha-1.0.0.zip"},
				{"signature_path", "/epr/alpha/alpha-1.0.0.zip.sig"}, {"conditions/kibana/version", "^8.0.0"},
				{"assets/#", 2}, {"assets/0", "/package/alpha/1.0.0/manifest.yml"},
			}},
		{name: "package document of a zip", target: "/package/gamma/1.2.0/", status: 200, headers: jsonHeaders("10"), anyBody: true,
			fields: []jsonField{{"name", "gamma"}, {"version", "1.2.0"}, {"categories/0", "aws"},
				{"path", "/package/gamma/1.2.0"}, {"signature_path", "/epr/gamma/gamma-1.2.0.zip.sig"}}},
		{name: "zip artifact", target: "/epr/gamma/gamma-1.2.0.zip", status: 200, body: gammaZip,
			headers: fileHeaders("application/zip", len(gammaZip))},
		{name: "generated artifact", target: "/epr/alpha/alpha-1.0.0.zip", status: 200, anyBody: true, prefix: "PK\x03\x04",
			headers: map[string][]string{
				"Content-Type": {"application/zip"}, "Content-Length": absent, "Last-Modified": absent,
				"Accept-Ranges": absent, "Cache-Control": public("600"), "Access-Control-Allow-Origin": corsHeader,
			}},
		{name: "signature", target: "/epr/gamma/gamma-1.2.0.zip.sig", status: 200, body: "gamma signature\n",
			headers: fileHeaders("application/pgp-signature", 16)},
		{name: "static file", target: "/package/alpha/1.0.0/manifest.yml", status: 200, body: manifest,
			prefix: "format_version: 3.0.0\nname: alpha\n", headers: fileHeaders("text/yaml; charset=UTF-8", len(manifest))},
	})
}
