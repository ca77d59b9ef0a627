package indexer_test

import (
	"context"
	"testing"

	"github.com/eprgo/package-registry/dev/bench/benchcorpus"
	"github.com/eprgo/package-registry/indexer"
)

// BenchmarkIndexLoad loads a 50 × 20 corpus (1,000 versions) from scratch
// per iteration: the start-up cost of the directory indexer. "ms/1k-versions"
// is the figure of docs/performance.md.
func BenchmarkIndexLoad(b *testing.B) {
	dir := benchcorpus.Dir(b, 50, 20)
	ctx := context.Background()
	versions := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{dir}, Workers: 2})
		if err := idx.Init(ctx); err != nil {
			b.Fatal(err)
		}
		pkgs, err := idx.Get(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		versions = len(pkgs)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(versions)*1000, "ms/1k-versions")
}
