package indexertest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

var update = flag.Bool("update-indexertest", false, "rewrite the indexer suite's golden files")

// Factory builds an initialised indexer over the fixture written by
// WriteDirectories into dir.
type Factory func(t *testing.T, dir string) indexer.Indexer

// Run writes the fixture, builds an indexer with newIndexer and checks that
// it answers every case of the suite.
func Run(t *testing.T, newIndexer Factory) {
	dir := WriteDirectories(t, t.TempDir())
	idx := newIndexer(t, dir)
	ctx := context.Background()
	t.Cleanup(func() { idx.Close(ctx) })

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := idx.Get(ctx, &indexer.GetOptions{Filter: c.filter})
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if want, have := strings.Join(c.want, " "), ids(got); want != have {
				t.Errorf("packages:\nwant %s\ngot  %s", want, have)
			}
			if c.check != nil {
				c.check(t, got)
			}
		})
	}

	t.Run("unfiltered", func(t *testing.T) {
		got, err := idx.Get(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(fixture) {
			t.Errorf("want all %d versions, got %d: %s", len(fixture), len(got), ids(got))
		}
	})

	// Byte-identical rendering across indexers: every indexer's packages
	// serialise to the same /search and /categories answers.
	t.Run("golden", func(t *testing.T) {
		all, err := idx.Get(ctx, &indexer.GetOptions{Filter: &packages.Filter{AllVersions: true, Prerelease: true}})
		if err != nil {
			t.Fatal(err)
		}
		search, err := packages.SearchJSON(all)
		if err != nil {
			t.Fatal(err)
		}
		newest, err := idx.Get(ctx, &indexer.GetOptions{Filter: &packages.Filter{}})
		if err != nil {
			t.Fatal(err)
		}
		cats, err := packages.CategoriesJSON(packages.CountCategories(newest, true))
		if err != nil {
			t.Fatal(err)
		}
		compareGolden(t, "search-all.golden", search)
		compareGolden(t, "categories-pt.golden", cats)
		checkRendered(t, search, cats)
	})
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the directory indexer tests with -update-indexertest)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// checkRendered holds what the golden files must show, written from the
// fixture by hand, so that rewriting them with -update-indexertest cannot
// bless a wrong rendering: /search lists every version of the fixture, and
// /categories counts the known package and template categories (not
// "notacategory").
func checkRendered(t *testing.T, search, cats []byte) {
	t.Helper()
	var want []string
	for _, p := range fixture {
		want = append(want, p.name+"@"+p.version)
	}
	slices.Sort(want)
	if got := SearchIDs(t, search); !slices.Equal(got, want) {
		t.Errorf("search lists %v, want every fixture version %v", got, want)
	}
	if got, want := CategoryIDs(t, cats), []string{"aws", "custom", "monitoring", "security", "web"}; !slices.Equal(got, want) {
		t.Errorf("categories %v, want %v", got, want)
	}
}

// SearchIDs reads a /search answer and returns the name@version of its
// items, sorted, for checks that do not depend on the answer's order.
func SearchIDs(t testing.TB, body []byte) []string {
	t.Helper()
	var items []struct{ Name, Version string }
	if err := json.Unmarshal(body, &items); err != nil {
		t.Fatalf("search answer is not a JSON list: %v", err)
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.Name+"@"+it.Version)
	}
	slices.Sort(ids)
	return ids
}

// CategoryIDs reads a /categories answer and returns its ids in answer
// order; an entry counted less than once fails the test.
func CategoryIDs(t testing.TB, body []byte) []string {
	t.Helper()
	var counts []struct {
		ID    string `json:"id"`
		Count int    `json:"count"`
	}
	if err := json.Unmarshal(body, &counts); err != nil {
		t.Fatalf("categories answer is not a JSON list: %v", err)
	}
	ids := make([]string, 0, len(counts))
	for _, c := range counts {
		if c.Count < 1 {
			t.Errorf("category %s counted %d times", c.ID, c.Count)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

// ids lists name@version sorted by name, then semver.
func ids(pkgs packages.Packages) string {
	sorted := append(packages.Packages(nil), pkgs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Name != sorted[j].Name {
			return sorted[i].Name < sorted[j].Name
		}
		return semver.MustParse(sorted[i].Version).LessThan(semver.MustParse(sorted[j].Version))
	})
	var out []string
	for _, p := range sorted {
		out = append(out, p.Name+"@"+p.Version)
	}
	return strings.Join(out, " ")
}

type suiteCase struct {
	name   string
	filter *packages.Filter
	want   []string
	check  func(t *testing.T, got packages.Packages)
}

func v(s string) *semver.Version { return semver.MustParse(s) }

func find(t *testing.T, pkgs packages.Packages, name string) *packages.Package {
	t.Helper()
	for _, p := range pkgs {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("%s not in the result", name)
	return nil
}

func templateNames(p *packages.Package) string {
	var names []string
	for _, pt := range p.PolicyTemplates {
		names = append(names, pt.Name)
	}
	return strings.Join(names, ",")
}

var cases = []suiteCase{
	{
		name:   "defaults",
		filter: &packages.Filter{},
		want:   []string{"agentc@1.0.0", "alpha@1.0.0", "beta_pkg@2.0.0", "caps@1.0.0", "delta@2.0.0", "disc@1.0.0", "gamma@1.0.0", "input_pkg@1.0.0", "specs@2.0.0"},
		check: func(t *testing.T, got packages.Packages) {
			d := find(t, got, "delta")
			if d.Deprecated == nil || d.Deprecated.Since != "1.0.0" || d.Deprecated.Description != "old one" {
				t.Errorf("delta@2.0.0 must show the propagated deprecation of 1.0.0, got %+v", d.Deprecated)
			}
			if g := find(t, got, "gamma"); strings.Join(g.Categories, ",") != "custom" {
				t.Errorf("unknown categories must be dropped, got %v", g.Categories)
			}
		},
	},
	{
		name:   "prerelease",
		filter: &packages.Filter{Prerelease: true},
		want:   []string{"agentc@1.0.0", "alpha@2.0.0-beta1", "beta_pkg@3.0.0-rc1", "caps@1.0.0", "delta@2.0.0", "disc@1.0.0", "gamma@1.0.0", "input_pkg@1.0.0", "specs@2.0.0"},
	},
	{
		name:   "all versions",
		filter: &packages.Filter{AllVersions: true},
		want:   []string{"agentc@1.0.0", "alpha@0.9.0", "alpha@1.0.0", "beta_pkg@1.0.0", "beta_pkg@2.0.0", "caps@1.0.0", "delta@1.0.0", "delta@2.0.0", "disc@1.0.0", "gamma@1.0.0", "input_pkg@1.0.0", "specs@1.0.0", "specs@2.0.0"},
	},
	{
		name:   "kibana 7.5.0",
		filter: &packages.Filter{KibanaVersion: v("7.5.0")},
		want:   []string{"agentc@1.0.0", "alpha@1.0.0", "beta_pkg@1.0.0", "caps@1.0.0", "delta@2.0.0", "disc@1.0.0", "gamma@1.0.0", "input_pkg@1.0.0", "specs@2.0.0"},
	},
	{
		name:   "kibana snapshot does not satisfy plain constraints",
		filter: &packages.Filter{KibanaVersion: v("8.1.0-SNAPSHOT"), PackageName: "beta_pkg"},
		want:   nil,
	},
	{
		name:   "agent too old",
		filter: &packages.Filter{AgentVersion: v("9.1.0"), PackageName: "agentc"},
		want:   nil,
	},
	{
		name:   "agent recent",
		filter: &packages.Filter{AgentVersion: v("9.3.0"), PackageName: "agentc"},
		want:   []string{"agentc@1.0.0"},
	},
	{
		name:   "category through policy template, pruned",
		filter: &packages.Filter{Category: "web"},
		want:   []string{"disc@1.0.0", "gamma@1.0.0"},
		check: func(t *testing.T, got packages.Packages) {
			if n := templateNames(find(t, got, "gamma")); n != "a" {
				t.Errorf("gamma templates: want a, got %s", n)
			}
		},
	},
	{
		name:   "category after newest selection, all versions",
		filter: &packages.Filter{Category: "web", AllVersions: true},
		want:   []string{"beta_pkg@1.0.0", "disc@1.0.0", "gamma@1.0.0"},
	},
	{
		name:   "parent category, exact pruning leaves no template",
		filter: &packages.Filter{Category: "observability"},
		want:   []string{"caps@1.0.0", "disc@1.0.0", "gamma@1.0.0"},
		check: func(t *testing.T, got packages.Packages) {
			if n := templateNames(find(t, got, "gamma")); n != "" {
				t.Errorf("gamma templates: want none, got %s", n)
			}
		},
	},
	{
		name:   "package-level category keeps every template",
		filter: &packages.Filter{Category: "custom"},
		want:   []string{"agentc@1.0.0", "delta@2.0.0", "gamma@1.0.0", "input_pkg@1.0.0"},
		check: func(t *testing.T, got packages.Packages) {
			if n := templateNames(find(t, got, "gamma")); n != "a,b,c" {
				t.Errorf("gamma templates: want a,b,c, got %s", n)
			}
		},
	},
	{
		name:   "type",
		filter: &packages.Filter{PackageType: "input"},
		want:   []string{"input_pkg@1.0.0"},
	},
	{
		name:   "capabilities missing one",
		filter: &packages.Filter{Capabilities: []string{"observability"}, PackageName: "caps"},
		want:   nil,
	},
	{
		name:   "capabilities all present",
		filter: &packages.Filter{Capabilities: []string{"uptime", "observability"}, PackageName: "caps"},
		want:   []string{"caps@1.0.0"},
	},
	{
		name:   "spec max",
		filter: &packages.Filter{SpecMax: v("3.0.0"), PackageName: "specs"},
		want:   []string{"specs@1.0.0"},
	},
	{
		name:   "spec min",
		filter: &packages.Filter{SpecMin: v("3.1.0")},
		want:   []string{"specs@2.0.0"},
	},
	{
		name:   "discovery fields",
		filter: &packages.Filter{Discovery: []packages.DiscoveryFilter{{Kind: "fields", Values: []string{"process.pid", "other"}}}},
		want:   []string{"disc@1.0.0"},
	},
	{
		name:   "discovery datasets no match",
		filter: &packages.Filter{Discovery: []packages.DiscoveryFilter{{Kind: "datasets", Values: []string{"nope"}}}},
		want:   nil,
	},
	{
		name:   "legacy newest prefers untagged",
		filter: &packages.Filter{Experimental: true, PackageName: "alpha"},
		want:   []string{"alpha@1.5.0"},
	},
	{
		name:   "legacy all drops 0.x and tagged when a stable version exists",
		filter: &packages.Filter{Experimental: true, AllVersions: true},
		want:   []string{"agentc@1.0.0", "alpha@1.0.0", "alpha@1.5.0", "beta_pkg@1.0.0", "beta_pkg@2.0.0", "caps@1.0.0", "delta@1.0.0", "delta@2.0.0", "disc@1.0.0", "gamma@1.0.0", "input_pkg@1.0.0", "specs@1.0.0", "specs@2.0.0"},
	},
	{
		name:   "lookup of a prerelease version",
		filter: &packages.Filter{PackageName: "alpha", PackageVersion: "2.0.0-beta1", AllVersions: true, Prerelease: true, Experimental: true},
		want:   []string{"alpha@2.0.0-beta1"},
	},
	{
		name:   "lookup of an unknown version",
		filter: &packages.Filter{PackageName: "alpha", PackageVersion: "9.9.9", AllVersions: true, Prerelease: true, Experimental: true},
		want:   nil,
	},
}
