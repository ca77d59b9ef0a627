package packages_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"

	"github.com/Masterminds/semver/v3"

	"github.com/eprgo/package-registry/indexer/indexertest"
	"github.com/eprgo/package-registry/loader"
	"github.com/eprgo/package-registry/packages"
)

// loadAll loads every package of the indexer suite's fixture and of the
// loader's complete fixtures, with deprecations propagated as an indexer
// does.
func loadAll(t *testing.T) packages.Packages {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(indexertest.WriteDirectories(t, t.TempDir()), "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var pkgs packages.Packages
	for _, d := range dirs {
		if info, err := os.Stat(d); err != nil || !info.IsDir() {
			continue
		}
		p, err := loader.Load(d, loader.Options{})
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		pkgs = append(pkgs, p)
	}
	// The loader's complete fixtures are named, not globbed: a missing one
	// fails the test instead of being skipped.
	for _, d := range []string{"../loader/testdata/loader/full/1.2.3", "../loader/testdata/loader/input/0.3.0"} {
		p, err := loader.Load(d, loader.Options{})
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		pkgs = append(pkgs, p)
	}
	packages.PropagateDeprecations(pkgs, map[string]*packages.Deprecated{})
	return pkgs
}

func compactAll(t *testing.T, pkgs packages.Packages) packages.Packages {
	t.Helper()
	in := packages.NewInterner()
	out := make(packages.Packages, len(pkgs))
	for i, p := range pkgs {
		c, err := packages.Compact(p, in)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = c
	}
	return out
}

// The compact form must answer exactly like the complete package: the
// document, the search projection, every filter and the category counts.
func TestCompactAnswersLikeTheCompletePackage(t *testing.T) {
	full := loadAll(t)
	compact := compactAll(t, full)
	for i, p := range full {
		c := compact[i]
		want, err := packages.MarshalIndentJSON(p)
		if err != nil {
			t.Fatal(err)
		}
		if c.Doc == nil {
			t.Fatalf("%s-%s: no document", p.Name, p.Version)
		}
		got, err := c.Doc.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s-%s: document differs:\n%s\nwant:\n%s", p.Name, p.Version, got, want)
		}
		if c.Doc.CompressedLen() >= len(want)/2 {
			t.Errorf("%s-%s: %d bytes kept for a %d-byte document", p.Name, p.Version, c.Doc.CompressedLen(), len(want))
		}
		if len(c.Assets) != 0 || len(c.Vars) != 0 || c.Readme != "" {
			t.Errorf("%s-%s: compact form keeps document-only fields", p.Name, p.Version)
		}
	}

	filters := map[string]*packages.Filter{
		"defaults":         {},
		"all":              {AllVersions: true, Prerelease: true},
		"category web":     {Category: "web"},
		"category custom":  {Category: "custom", AllVersions: true},
		"category parent":  {Category: "observability", Prerelease: true},
		"kibana":           {KibanaVersion: semver.MustParse("8.3.0"), Prerelease: true},
		"agent":            {AgentVersion: semver.MustParse("9.3.0")},
		"capabilities":     {Capabilities: []string{"observability"}},
		"spec":             {SpecMin: semver.MustParse("3.0"), SpecMax: semver.MustParse("3.0"), AllVersions: true},
		"type":             {PackageType: "input"},
		"discovery fields": {Discovery: []packages.DiscoveryFilter{{Kind: "fields", Values: []string{"process.pid"}}}},
		"legacy":           {Experimental: true, AllVersions: true},
		"one version":      {PackageName: "alpha", PackageVersion: "2.0.0-beta1", Prerelease: true, AllVersions: true},
	}
	ctx := context.Background()
	for name, f := range filters {
		t.Run(name, func(t *testing.T) {
			a, err := f.Apply(ctx, full)
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.Apply(ctx, compact)
			if err != nil {
				t.Fatal(err)
			}
			// Every filter selects something, so that equal answers
			// cannot be two empty lists.
			if len(a) == 0 {
				t.Fatal("the filter selects no package of the fixture")
			}
			if len(b) != len(a) {
				t.Fatalf("%d compact packages selected, %d complete ones", len(b), len(a))
			}
			wantSearch := searchJSON(t, a)
			gotSearch := searchJSON(t, b)
			if !bytes.Equal(gotSearch, wantSearch) {
				t.Errorf("search differs:\n%s\nwant:\n%s", gotSearch, wantSearch)
			}
			for _, pt := range []bool{false, true} {
				want := categoriesJSON(t, a, pt)
				got := categoriesJSON(t, b, pt)
				if !bytes.Equal(got, want) {
					t.Errorf("categories (templates %v) differ:\n%s\nwant:\n%s", pt, got, want)
				}
			}
		})
	}
}

// searchJSON renders /search and checks that it lists every package given,
// by name and version (in its own order).
func searchJSON(t *testing.T, pkgs packages.Packages) []byte {
	t.Helper()
	out, err := packages.SearchJSON(pkgs)
	if err != nil {
		t.Fatal(err)
	}
	given := make([]string, 0, len(pkgs))
	for _, p := range pkgs {
		given = append(given, p.Name+"@"+p.Version)
	}
	slices.Sort(given)
	if listed := indexertest.SearchIDs(t, out); !slices.Equal(listed, given) {
		t.Fatalf("search lists %v, given %v", listed, given)
	}
	return out
}

// categoriesJSON renders /categories and checks that it lists the counted
// categories, in order.
func categoriesJSON(t *testing.T, pkgs packages.Packages, includePolicyTemplates bool) []byte {
	t.Helper()
	counts := packages.CountCategories(pkgs, includePolicyTemplates)
	out, err := packages.CategoriesJSON(counts)
	if err != nil {
		t.Fatal(err)
	}
	counted := make([]string, 0, len(counts))
	for _, c := range counts {
		counted = append(counted, c.ID)
	}
	if listed := indexertest.CategoryIDs(t, out); !slices.Equal(listed, counted) {
		t.Fatalf("categories lists %v, counted %v", listed, counted)
	}
	return out
}

// Equal values of different packages share memory; shared lists cannot be
// appended to in place.
func TestCompactSharesValues(t *testing.T) {
	full := loadAll(t)
	compact := compactAll(t, full)
	var alpha []*packages.Package
	for _, c := range compact {
		if c.Name == "alpha" {
			alpha = append(alpha, c)
		}
	}
	if len(alpha) < 2 {
		t.Fatal("fixture has several alpha versions")
	}
	a, b := alpha[0], alpha[1]
	if a.Owner == nil || a.Owner != b.Owner {
		t.Errorf("owners not shared: %p %p", a.Owner, b.Owner)
	}
	if len(a.Categories) == 0 || &a.Categories[0] != &b.Categories[0] {
		t.Errorf("equal category lists not shared")
	}
	if cap(a.Categories) != len(a.Categories) {
		t.Errorf("shared list has spare capacity %d > %d", cap(a.Categories), len(a.Categories))
	}
	var fullAlpha []*packages.Package
	for _, p := range full {
		if p.Name == "alpha" {
			fullAlpha = append(fullAlpha, p)
		}
	}
	if unsafe.StringData(fullAlpha[0].Description) == unsafe.StringData(fullAlpha[1].Description) {
		t.Fatal("loaded packages already share their descriptions; the test proves nothing")
	}
	if a.Description == "" || unsafe.StringData(a.Description) != unsafe.StringData(b.Description) {
		t.Errorf("equal descriptions not shared")
	}
}
