package indexer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/indexer/indexertest"
	"github.com/eprgo/package-registry/packages"
)

func byID(t *testing.T, idx indexer.Indexer) map[string]*packages.Package {
	t.Helper()
	all, err := idx.Get(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*packages.Package{}
	for _, p := range all {
		m[p.Name+"@"+p.Version] = p
	}
	return m
}

func document(t *testing.T, p *packages.Package) string {
	t.Helper()
	if p.Doc == nil {
		t.Fatalf("%s-%s has no document", p.Name, p.Version)
	}
	b, err := p.Doc.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A rescan keeps the packages whose files did not change (same values,
// shared with the previous snapshot) and reads the others again; a kept
// package whose propagated deprecation changes gets a new document.
func TestRescanKeepsUnchangedPackages(t *testing.T) {
	ctx := context.Background()
	dir := indexertest.WriteDirectories(t, t.TempDir())
	idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{dir}, Workers: 2, EnableWatcher: true})
	if err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	first := byID(t, idx)
	if err := idx.Rescan(ctx); err != nil {
		t.Fatal(err)
	}
	second := byID(t, idx)
	if len(second) != len(first) {
		t.Fatalf("%d packages, then %d", len(first), len(second))
	}
	for id, p := range second {
		if first[id] != p {
			t.Errorf("%s read again although nothing changed", id)
		}
	}

	// Change one package, add a deprecated newer version of another.
	manifest := filepath.Join(dir, "gamma", "1.0.0", "manifest.yml")
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "The gamma package.", "The edited gamma package.", 1)
	if err := os.WriteFile(manifest, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	newAlpha := filepath.Join(dir, "alpha", "3.0.0")
	mustWrite(t, filepath.Join(newAlpha, "manifest.yml"), "format_version: 3.0.0\nname: alpha\ntitle: Alpha title\nversion: 3.0.0\ndescription: The alpha package.\nowner:\n  github: team\ncategories: [aws]\ndeprecated:\n  since: 3.0.0\n  description: gone\n")
	mustWrite(t, filepath.Join(newAlpha, "docs", "README.md"), "# alpha\n")
	mustWrite(t, newAlpha+".sig", "sig")
	if err := idx.Rescan(ctx); err != nil {
		t.Fatal(err)
	}
	third := byID(t, idx)
	for id, p := range third {
		switch {
		case id == "gamma@1.0.0":
			if p == second[id] || p.Description != "The edited gamma package." || !strings.Contains(document(t, p), "The edited gamma package.") {
				t.Errorf("changed package not read again: %q", p.Description)
			}
		case strings.HasPrefix(id, "alpha@"):
			if p.Deprecated == nil || p.Deprecated.Description != "gone" || !strings.Contains(document(t, p), `"description": "gone"`) {
				t.Errorf("%s does not show the new deprecation: %+v\n%s", id, p.Deprecated, document(t, p))
			}
		default:
			if p != second[id] {
				t.Errorf("%s read again although nothing changed", id)
			}
		}
	}

	// A removed package leaves the index.
	if err := os.RemoveAll(filepath.Join(dir, "delta", "2.0.0")); err != nil {
		t.Fatal(err)
	}
	if err := idx.Rescan(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := byID(t, idx)["delta@2.0.0"]; ok {
		t.Error("removed package still indexed")
	}
}

// Without the watcher, Init takes no fingerprints; the first Rescan reads
// everything and the next one can keep packages.
func TestRescanAfterInitWithoutWatcher(t *testing.T) {
	ctx := context.Background()
	dir := indexertest.WriteDirectories(t, t.TempDir())
	idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{dir}})
	if err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	first := byID(t, idx)
	if err := idx.Rescan(ctx); err != nil {
		t.Fatal(err)
	}
	second := byID(t, idx)
	for id, p := range second {
		if first[id] == p {
			t.Errorf("%s kept without a fingerprint", id)
		}
	}
	if err := idx.Rescan(ctx); err != nil {
		t.Fatal(err)
	}
	for id, p := range byID(t, idx) {
		if second[id] != p {
			t.Errorf("%s read again although nothing changed", id)
		}
	}
}
