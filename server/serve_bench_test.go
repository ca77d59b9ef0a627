package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/dev/bench/benchcorpus"
	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// loadBenchIndex returns the directory indexer over the benchmark corpus
// (50 × 20 versions, or $EPR_BENCH_CORPUS), loaded once per test binary.
func loadBenchIndex(b *testing.B) *indexer.FileSystemIndexer {
	b.Helper()
	idx, err := benchIndexOnce(b)
	if err != nil {
		b.Fatal(err)
	}
	return idx
}

var (
	benchOnce sync.Once
	benchIdx  *indexer.FileSystemIndexer
	benchErr  error
)

func benchIndexOnce(b *testing.B) (*indexer.FileSystemIndexer, error) {
	benchOnce.Do(func() {
		dir := benchcorpus.Dir(b, 50, 20)
		benchIdx = indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{dir}, Workers: 2})
		benchErr = benchIdx.Init(context.Background())
	})
	return benchIdx, benchErr
}

// benchRouter is the whole router (middleware, access log to a no-op
// logger) over the benchmark corpus. cached false disables the answer and
// document caches.
func benchRouter(b *testing.B, cached bool) http.Handler {
	b.Helper()
	opts := defaultOptions(loadBenchIndex(b))
	opts.Logger = zap.NewNop()
	if !cached {
		opts.AnswerCacheBytes, opts.DocCacheBytes = -1, -1
	}
	h, err := NewRouter(opts)
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func benchRequests(b *testing.B, targets map[string]string) {
	for _, cached := range []bool{true, false} {
		name := "cached"
		if !cached {
			name = "uncached"
		}
		h := benchRouter(b, cached)
		for label, target := range targets {
			b.Run(name+"/"+label, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				size := 0
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", target, w.Code, w.Body)
					}
					size = w.Body.Len()
				}
				b.SetBytes(int64(size))
			})
		}
	}
}

// BenchmarkSearch: the /search parameter sets Kibana sends, cached (the
// answer of the current index generation) and computed every time.
func BenchmarkSearch(b *testing.B) {
	p := benchPackage(b)
	benchRequests(b, map[string]string{
		"plain":             "/search",
		"package":           "/search?package=" + p.Name + "&prerelease=true&kibana.version=8.15.0",
		"prerelease-kibana": "/search?prerelease=true&kibana.version=8.15.0",
		"all":               "/search?all=true",
		"category":          "/search?category=security&prerelease=true",
	})
}

// BenchmarkCategories: /categories plain and with policy templates.
func BenchmarkCategories(b *testing.B) {
	benchRequests(b, map[string]string{
		"plain":             "/categories",
		"policy-templates":  "/categories?include_policy_templates=true",
		"prerelease-kibana": "/categories?prerelease=true&kibana.version=8.15.0",
	})
}

// BenchmarkPackageDocument: /package/{n}/{v}/ from the document cache and
// decompressed every time.
func BenchmarkPackageDocument(b *testing.B) {
	p := benchPackage(b)
	benchRequests(b, map[string]string{"doc": "/package/" + p.Name + "/" + p.Version + "/"})
}

// benchPackage is a package version from the middle of the corpus.
func benchPackage(b *testing.B) *packages.Package {
	all, err := loadBenchIndex(b).Get(context.Background(), nil)
	if err != nil || len(all) == 0 {
		b.Fatal("empty benchmark corpus", err)
	}
	return all[len(all)/2]
}
