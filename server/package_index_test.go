package server

import (
	"net/http"
	"testing"
)

func TestPackageIndex(t *testing.T) {
	srv := startServer(t, defaultOptions(listIndexer{newFixture(t).pkgs}))

	ok := map[string][]string{
		"Content-Type":                {"application/json"},
		"Cache-Control":               public("10"),
		"Access-Control-Allow-Origin": corsHeader,
		"Last-Modified":               absent,
	}
	invalid := plainError(noStoreCache, true)
	runCases(t, srv, []httpCase{
		{name: "directory package", target: "/package/alpha/1.0.0/", status: 200, headers: ok, golden: "package-alpha-1.0.0.json",
			fields: []jsonField{{"name", "alpha"}, {"version", "1.0.0"}, {"license", "basic"}, {"assets/#", 2}}},
		{name: "prerelease is found", target: "/package/alpha/2.0.0-beta1/", status: 200, headers: ok, golden: "package-alpha-2.0.0-beta1.json",
			fields: []jsonField{{"version", "2.0.0-beta1"}, {"release", "beta"}, {"categories/1", "security"}}},
		{name: "zip package", target: "/package/gamma/1.2.0/", status: 200, headers: ok, golden: "package-gamma-1.2.0.json",
			fields: []jsonField{{"name", "gamma"}, {"download", "/epr/gamma/gamma-1.2.0.zip"}, {"signature_path", "/epr/gamma/gamma-1.2.0.zip.sig"}}},
		{name: "build metadata, literal plus", target: "/package/delta/1.0.0+build1/", status: 200, headers: ok, golden: "package-delta-1.0.0+build1.json",
			fields: []jsonField{{"name", "delta"}, {"version", "1.0.0+build1"}, {"type", "input"}, {"path", "/package/delta/1.0.0+build1"}}},
		{name: "build metadata, encoded plus", target: "/package/delta/1.0.0%2Bbuild1/", status: 200, headers: ok, golden: "package-delta-1.0.0+build1.json"},
		{name: "query ignored", target: "/package/alpha/1.0.0/?prerelease=maybe", status: 200, headers: ok, golden: "package-alpha-1.0.0.json"},
		{name: "HEAD", method: http.MethodHead, target: "/package/alpha/1.0.0/", status: 200, headers: ok},
		{name: "PUT", method: http.MethodPut, target: "/package/alpha/1.0.0/", status: 200, headers: ok, golden: "package-alpha-1.0.0.json"},

		{name: "two components", target: "/package/alpha/1.0/", status: 400, headers: invalid, body: "invalid package version\n"},
		{name: "leading v", target: "/package/alpha/v1.0.0/", status: 400, headers: invalid, body: "invalid package version\n"},
		{name: "leading zero", target: "/package/alpha/01.0.0/", status: 400, headers: invalid, body: "invalid package version\n"},
		{name: "letters", target: "/package/alpha/a.b.c/", status: 400, headers: invalid, body: "invalid package version\n"},
		{name: "invalid version of unknown package", target: "/package/missing/1.0/", status: 400, headers: invalid, body: "invalid package version\n"},

		{name: "unknown package", target: "/package/missing/1.0.0/", status: 404, headers: invalid, body: "package revision not found\n"},
		{name: "unknown version", target: "/package/alpha/9.9.9/", status: 404, headers: invalid, body: "package revision not found\n"},
		{name: "exact version string", target: "/package/alpha/1.0.0+build/", status: 404, headers: invalid, body: "package revision not found\n"},
		{name: "build metadata required", target: "/package/delta/1.0.0/", status: 404, headers: invalid, body: "package revision not found\n"},
	})
}

func TestLookupIndexerFailure(t *testing.T) {
	srv := startServer(t, defaultOptions(brokenIndexer{errBroken}))
	internal := plainError(absent, true)
	runCases(t, srv, []httpCase{
		{name: "package index", target: "/package/alpha/1.0.0/", status: 500, headers: internal, body: "internal server error\n"},
		{name: "static", target: "/package/alpha/1.0.0/manifest.yml", status: 500, headers: internal, body: "internal server error\n"},
		{name: "artifact", target: "/epr/alpha/alpha-1.0.0.zip", status: 500, headers: internal, body: "internal server error\n"},
		{name: "signature", target: "/epr/alpha/alpha-1.0.0.zip.sig", status: 500, headers: internal, body: "internal server error\n"},
		// The version is checked before the indexer is asked.
		{name: "version first", target: "/package/alpha/1.0/", status: 400, headers: plainError(noStoreCache, true), body: "invalid package version\n"},
		{name: "search", target: "/search", status: 404, headers: plainError(noStoreCache, true), body: "fetching package failed: index unavailable\n"},
		{name: "categories", target: "/categories", status: 404, headers: plainError(noStoreCache, true), body: "index unavailable\n"},
	})
}
