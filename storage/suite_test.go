package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/indexer/indexertest"
	"github.com/eprgo/package-registry/loader"
)

// The storage indexers pass the same suite as the filesystem indexers: the
// suite's packages, loaded from disk and published as a Package Storage v2
// index, give the same /search and /categories answers.
func TestStorageIndexerSuite(t *testing.T) {
	indexertest.Run(t, func(t *testing.T, dir string) indexer.Indexer {
		f := publishSuiteIndex(t, dir)
		ti := newTestIndexer(t, f, false, 0)
		if err := ti.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		return ti.Indexer
	})
}

func TestSQLStorageIndexerSuite(t *testing.T) {
	indexertest.Run(t, func(t *testing.T, dir string) indexer.Indexer {
		f := publishSuiteIndex(t, dir)
		ts := newTestSQLIndexer(t, f, sqlTestOptions{})
		if err := ts.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		return ts.SQLIndexer
	})
}

// publishSuiteIndex loads every <dir>/<name>/<version>/ package the way the
// registry does and publishes their documents as revision 1.
func publishSuiteIndex(t *testing.T, dir string) *fakeGCS {
	t.Helper()
	versions, err := filepath.Glob(filepath.Join(dir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var index bytes.Buffer
	index.WriteString(`{"packages":[`)
	n := 0
	for _, v := range versions {
		if info, err := os.Stat(v); err != nil || !info.IsDir() {
			continue
		}
		p, err := loader.Load(v, loader.Options{})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			index.WriteByte(',')
		}
		index.WriteString(`{"package_manifest":`)
		index.Write(doc)
		index.WriteByte('}')
		n++
	}
	index.WriteString(`]}`)
	f := newFakeGCS(t, "")
	f.put("v2/metadata/1/search-index-all.json", index.Bytes())
	f.setCursor("1")
	return f
}
