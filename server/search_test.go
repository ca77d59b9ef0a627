package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestSearch(t *testing.T) {
	srv := startServer(t, defaultOptions(listIndexer{newFixture(t).pkgs}))

	ok := map[string][]string{
		"Content-Type":                {"application/json"},
		"Cache-Control":               public("600"),
		"Access-Control-Allow-Origin": corsHeader,
		"Last-Modified":               absent,
	}
	bad := plainError(noStoreCache, true)
	runCases(t, srv, []httpCase{
		{name: "default", target: "/search", status: 200, headers: ok, golden: "search.json",
			fields: []jsonField{{"#", 3}, {"0/name", "alpha"}, {"0/version", "1.0.0"}, {"1/name", "delta"}, {"2/name", "gamma"}}},
		{name: "all with prereleases", target: "/search?all=true&prerelease=true", status: 200, headers: ok, golden: "search-all-prerelease.json",
			fields: []jsonField{{"#", 4}, {"0/version", "1.0.0"}, {"1/version", "2.0.0-beta1"}, {"1/release", "beta"},
				{"2/version", "1.0.0+build1"}, {"3/version", "1.2.0"}}},
		{name: "one package", target: "/search?package=alpha", status: 200, headers: ok, golden: "search-alpha.json",
			fields: []jsonField{{"#", 1}, {"0/name", "alpha"}, {"0/version", "1.0.0"}}},
		{name: "POST is GET", method: http.MethodPost, target: "/search?package=alpha", status: 200, headers: ok, golden: "search-alpha.json"},
		{name: "OPTIONS is GET", method: http.MethodOptions, target: "/search?package=alpha", status: 200, headers: ok, golden: "search-alpha.json"},
		{name: "semicolon pair dropped", target: "/search?package=alpha;prerelease=true", status: 200, headers: ok, golden: "search.json"},
		{name: "empty result", target: "/search?package=nonexistent", status: 200, body: "[]",
			headers: map[string][]string{"Content-Length": {"2"}, "Cache-Control": public("600"), "Content-Type": {"application/json"}}},
		{name: "unknown parameter allowed", target: "/search?package=nonexistent&foo=bar", status: 200, body: "[]"},
		{name: "range ignored", target: "/search?package=nonexistent", header: map[string]string{"Range": "bytes=0-0"}, status: 200, body: "[]"},
		{name: "invalid all", target: "/search?all=maybe", status: 400, headers: bad, body: "invalid 'all' query param: 'maybe'\n"},
		{name: "invalid prerelease", target: "/search?prerelease=x", status: 400, headers: bad, body: "invalid 'prerelease' query param: 'x'\n"},
	})

	t.Run("HEAD reports the length", func(t *testing.T) {
		get, body := do(t, srv, http.MethodGet, "/search?package=alpha", nil)
		head, headBody := do(t, srv, http.MethodHead, "/search?package=alpha", nil)
		if get.StatusCode != 200 || head.StatusCode != 200 || len(headBody) != 0 {
			t.Fatalf("GET %d, HEAD %d with %d body bytes", get.StatusCode, head.StatusCode, len(headBody))
		}
		if head.ContentLength != int64(len(body)) {
			t.Errorf("HEAD Content-Length %d, GET body %d bytes", head.ContentLength, len(body))
		}
	})
}

func TestSearchStrictParameters(t *testing.T) {
	opts := defaultOptions(listIndexer{newFixture(t).pkgs})
	opts.AllowUnknownQueryParameters = false
	srv := startServer(t, opts)
	bad := plainError(noStoreCache, true)
	runCases(t, srv, []httpCase{
		{name: "search unknown", target: "/search?package=alpha&unknown=true", status: 400, headers: bad, body: "unknown query parameter: \"unknown\"\n"},
		{name: "search categories-only parameter", target: "/search?include_policy_templates=true", status: 400, headers: bad,
			body: "unknown query parameter: \"include_policy_templates\"\n"},
		{name: "categories search-only parameter", target: "/categories?package=alpha", status: 400, headers: bad,
			body: "unknown query parameter: \"package\"\n"},
		{name: "known parameters pass", target: "/search?package=alpha&internal=whatever", status: 200, golden: "search-alpha.json"},
		// Other routes never read the query.
		{name: "package index ignores query", target: "/package/alpha/1.0.0/?unknown=1", status: 200, golden: "package-alpha-1.0.0.json"},
		{name: "index ignores query", target: "/?unknown=1", status: 200, golden: "index.json"},
	})
}

func TestCategories(t *testing.T) {
	srv := startServer(t, defaultOptions(listIndexer{newFixture(t).pkgs}))
	ok := map[string][]string{
		"Content-Type":                {"application/json"},
		"Cache-Control":               public("600"),
		"Access-Control-Allow-Origin": corsHeader,
	}
	runCases(t, srv, []httpCase{
		{name: "default", target: "/categories", status: 200, headers: ok, golden: "categories.json",
			fields: []jsonField{{"#", 2}, {"0/id", "aws"}, {"0/count", float64(1)}, {"1/id", "web"}, {"1/count", float64(1)}}},
		{name: "prerelease", target: "/categories?prerelease=true", status: 200, headers: ok, golden: "categories-prerelease.json",
			// The beta replaces alpha 1.0.0: its two categories count.
			fields: []jsonField{{"#", 3}, {"0/id", "aws"}, {"1/id", "security"}, {"1/title", "Security"},
				{"1/count", float64(1)}, {"2/id", "web"}, {"2/count", float64(1)}}},
		{name: "search parameters ignored", target: "/categories?package=gamma&all=true", status: 200, headers: ok, golden: "categories.json"},
		{name: "OPTIONS is GET", method: http.MethodOptions, target: "/categories", status: 200, headers: ok, golden: "categories.json"},
		{name: "bad include_policy_templates", target: "/categories?include_policy_templates=foo", status: 400,
			headers: plainError(noStoreCache, true), body: "invalid 'include_policy_templates' query param: 'foo'\n"},
		{name: "bad prerelease", target: "/categories?prerelease=foo", status: 400,
			headers: plainError(noStoreCache, true), body: "invalid 'prerelease' query param: 'foo'\n"},
	})

	empty := startServer(t, defaultOptions(listIndexer{}))
	runCases(t, empty, []httpCase{
		{name: "empty categories", target: "/categories", status: 200, headers: ok, body: "[]\n"},
		{name: "empty search", target: "/search", status: 200, headers: ok, body: "[]"},
	})
}

// A package whose YAML is past the registry's limits (node count before
// parsing, depth) is refused on a reload with the registry's message naming
// the file, without the parser spending hundreds of MiB first (a 3.7 MiB
// "[a,a,...]" took 400 MiB), and /search keeps answering from the index in
// service.
func TestSearchAfterHostileYAML(t *testing.T) {
	fs, root := fsIndexer(t)
	srv := startServer(t, defaultOptions(fs))
	want := getBody(t, srv.URL+"/search?all=true")

	const manifest = "format_version: 3.0.0\nname: bad\ntitle: Bad\nversion: 1.0.0\ndescription: d\n" +
		"owner:\n  github: team\ncategories: [custom]\n"
	cases := []struct {
		name  string
		files map[string]string
		err   string
	}{
		{"dense manifest", map[string]string{"manifest.yml": manifest + "vars: [" + strings.Repeat("a,", 1900000) + "a]\n"},
			"manifest.yml: yaml: document too large"},
		{"deep manifest", map[string]string{"manifest.yml": manifest + "vars: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"},
			"manifest.yml: yaml: document too deep"},
		{"dense fields file", map[string]string{
			"manifest.yml":                            manifest,
			"data_stream/logs/manifest.yml":           "title: Logs\ntype: logs\n",
			"data_stream/logs/fields/fields.yml":      strings.Repeat("- name: a\n", 200000),
			"data_stream/logs/fields/base-fields.yml": "- name: '@timestamp'\n  type: date\n",
		}, "data_stream/logs/fields/fields.yml: yaml: document too large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := filepath.Join(root, "bad", "1.0.0")
			t.Cleanup(func() { os.RemoveAll(filepath.Join(root, "bad")) })
			c.files["docs/README.md"] = "# bad\n"
			for name, content := range c.files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(bad, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(bad, name), content)
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := fs.Rescan(context.Background())
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "(path: "+bad+")") || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("rescan error %v, want the path and %q", err, c.err)
			}
			// The heap's peak cannot pass what was allocated.
			if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
				t.Errorf("refusing the package allocated %d MiB", n>>20)
			}
			if got := getBody(t, srv.URL+"/search?all=true"); got != want {
				t.Errorf("/search changed:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
