package indexer_test

import (
	"context"
	"testing"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/indexer/indexertest"
)

// wrapped hides an indexer behind a wrapper, like the metrics one.
type wrapped struct{ indexer.Indexer }

func (w wrapped) Unwrap() indexer.Indexer { return w.Indexer }

// opaque is an indexer without a generation.
type opaque struct{ indexer.Indexer }

func TestGenerations(t *testing.T) {
	ctx := context.Background()
	dir := indexertest.WriteDirectories(t, t.TempDir())
	fs := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{dir}})
	zips := indexer.NewZipFileSystemIndexer(indexer.FSOptions{Paths: []string{t.TempDir()}})

	gen := func(idx indexer.Indexer) uint64 {
		t.Helper()
		g, ok := indexer.GenerationOf(idx)
		if !ok {
			t.Fatalf("%T has no generation", idx)
		}
		return g
	}
	before := gen(fs)
	if err := fs.Init(ctx); err != nil {
		t.Fatal(err)
	}
	afterInit := gen(fs)
	if afterInit <= before {
		t.Errorf("Init: generation %d -> %d", before, afterInit)
	}
	combined := indexer.NewCombined(wrapped{zips}, wrapped{fs})
	c1 := gen(combined)
	if err := fs.Rescan(ctx); err != nil {
		t.Fatal(err)
	}
	if g := gen(fs); g <= afterInit {
		t.Errorf("Rescan: generation %d -> %d", afterInit, g)
	}
	if c2 := gen(combined); c2 <= c1 {
		t.Errorf("combined: generation %d -> %d after a member's rescan", c1, c2)
	}
	if err := zips.Rescan(ctx); err != nil {
		t.Fatal(err)
	}
	if c3 := gen(combined); c3 <= c1 {
		t.Errorf("combined: generation unchanged after the other member's rescan")
	}

	if _, ok := indexer.GenerationOf(opaque{fs}); ok {
		t.Error("an indexer without Generation or Unwrap has a generation")
	}
	if _, ok := indexer.GenerationOf(indexer.NewCombined(fs, opaque{zips})); ok {
		t.Error("a combined indexer with an opaque member has a generation")
	}
}
