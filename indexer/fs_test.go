package indexer_test

import (
	"archive/zip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/indexer/indexertest"
)

func TestFileSystemIndexerSuite(t *testing.T) {
	indexertest.Run(t, func(t *testing.T, dir string) indexer.Indexer {
		idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{dir}, Workers: 2, RequireSignatures: true})
		if err := idx.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		return idx
	})
}

func TestZipFileSystemIndexerSuite(t *testing.T) {
	indexertest.Run(t, func(t *testing.T, dir string) indexer.Indexer {
		zips := t.TempDir()
		zipFixture(t, dir, zips)
		idx := indexer.NewZipFileSystemIndexer(indexer.FSOptions{Paths: []string{zips}, Workers: 2, RequireSignatures: true})
		if err := idx.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		return idx
	})
}

// zipFixture turns every <dir>/<name>/<version>/ into <out>/<name>-<version>.zip
// (with its .sig) whose single top-level folder is <name>-<version>/.
func zipFixture(t *testing.T, dir, out string) {
	t.Helper()
	versions, err := filepath.Glob(filepath.Join(dir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		info, err := os.Stat(v)
		if err != nil || !info.IsDir() {
			continue
		}
		base := filepath.Base(filepath.Dir(v)) + "-" + filepath.Base(v)
		target := filepath.Join(out, base+".zip")
		writeZip(t, v, base, target)
		sig, err := os.ReadFile(v + ".sig")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target+".sig", sig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func writeZip(t *testing.T, dir, prefix, target string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(target)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		w, err := zw.Create(prefix + "/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}
