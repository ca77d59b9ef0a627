package packages_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/eprgo/package-registry/dev/bench/benchcorpus"
	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/loader"
	"github.com/eprgo/package-registry/packages"
)

var (
	benchOnce sync.Once
	benchPkgs packages.Packages
	benchDir  string
	benchErr  error
)

// benchPackages are the served (compact) packages of the benchmark corpus
// (50 × 20 versions, or $EPR_BENCH_CORPUS), loaded once.
func benchPackages(b *testing.B) packages.Packages {
	b.Helper()
	benchOnce.Do(func() {
		benchDir = benchcorpus.Dir(b, 50, 20)
		idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{benchDir}, Workers: 2})
		if benchErr = idx.Init(context.Background()); benchErr == nil {
			benchPkgs, benchErr = idx.Get(context.Background(), nil)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPkgs
}

// BenchmarkFilter runs the filter pipeline over every version of the
// corpus, for the parameter sets of /search and /categories.
func BenchmarkFilter(b *testing.B) {
	pkgs := benchPackages(b)
	kibana := semver.MustParse("8.15.0")
	filters := map[string]*packages.Filter{
		"newest":            {},
		"prerelease-kibana": {Prerelease: true, KibanaVersion: kibana},
		"all":               {AllVersions: true},
		"category":          {Category: "security", Prerelease: true},
		"capabilities":      {Capabilities: []string{"observability", "security"}},
		"spec":              {SpecMin: semver.MustParse("3.1"), SpecMax: semver.MustParse("3.3")},
	}
	ctx := context.Background()
	for name, f := range filters {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.Apply(ctx, pkgs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(pkgs)), "ns/version")
		})
	}
}

// BenchmarkRender renders answers from filtered packages: the /search body
// of the newest versions, of every version, and the /categories counts.
func BenchmarkRender(b *testing.B) {
	pkgs := benchPackages(b)
	newest, err := (&packages.Filter{}).Apply(context.Background(), pkgs)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("search-newest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := packages.SearchJSON(newest); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("search-all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := packages.SearchJSON(pkgs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("categories-templates", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := packages.CategoriesJSON(packages.CountCategories(newest, true)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoadAndCompact reads one package version and compacts it: the
// per-version work of an index load, without the walks of the indexer.
func BenchmarkLoadAndCompact(b *testing.B) {
	pkgs := benchPackages(b)
	path := pkgs[len(pkgs)/2].BasePath
	if !filepath.IsAbs(path) {
		b.Fatal("unexpected package path", path)
	}
	in := packages.NewInterner()
	b.ReportAllocs()
	for b.Loop() {
		p, err := loader.Load(path, loader.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := packages.Compact(p, in); err != nil {
			b.Fatal(err)
		}
	}
}
