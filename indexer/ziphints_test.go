package indexer_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// A tree where zips sit inside directory packages (at several depths, in
// a folder named like a zip, invalid ones too) and outside them.
func zipHintsTree(t *testing.T) string {
	t.Helper()
	src, root := t.TempDir(), t.TempDir()
	for _, p := range []struct{ name, version string }{{"zz", "1.0.0"}, {"zy", "2.0.0"}, {"zx", "3.0.0"}, {"zw", "1.0.0"}} {
		writePkg(t, filepath.Join(src, p.name, p.version), p.name, p.version, "from zip")
	}
	writePkg(t, filepath.Join(root, "alpha", "1.0.0"), "alpha", "1.0.0", "a1")
	writePkg(t, filepath.Join(root, "alpha", "1.1.0"), "alpha", "1.1.0", "a2")
	writePkg(t, filepath.Join(root, "beta", "2.0.0"), "beta", "2.0.0", "b")
	writeZip(t, filepath.Join(src, "zz", "1.0.0"), "zz", filepath.Join(root, "alpha", "1.0.0", "img", "zz.zip"))
	writeZip(t, filepath.Join(src, "zy", "2.0.0"), "zy", filepath.Join(root, "beta", "2.0.0", "d.zip", "deeper", "zy.zip"))
	writeZip(t, filepath.Join(src, "zx", "3.0.0"), "zx", filepath.Join(root, "alpha", "1.1.0", "a.zip"))
	writeZip(t, filepath.Join(src, "zw", "1.0.0"), "zw", filepath.Join(root, "outside", "x", "zw.zip"))
	mustWrite(t, filepath.Join(root, "alpha", "1.0.0", "docs", "broken.zip"), "not a zip")
	mustWrite(t, filepath.Join(root, "beta", "2.0.0", "broken.zip"), "not a zip either")
	mustWrite(t, filepath.Join(root, "top-broken.zip"), "no")
	if err := os.Symlink("img/zz.zip", filepath.Join(root, "alpha", "1.0.0", "link.zip")); err != nil {
		t.Fatal(err)
	}
	return root
}

func paths(pkgs packages.Packages) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.Name+"@"+p.Version+" "+p.BasePath)
	}
	return out
}

// With the directory indexer's listings the zip indexer finds the same
// packages in the same order, with the same warnings, as with its own
// walk; and the directory indexer serves the same packages.
func TestZipHintsGiveTheSameIndexes(t *testing.T) {
	root := zipHintsTree(t)
	type run struct {
		zips, dirs packages.Packages
		warnings   []string
	}
	start := func(hints bool) run {
		logger, logs := observed()
		opts := indexer.FSOptions{Paths: []string{root}, Logger: logger, Workers: 2}
		zips, dirs := indexer.NewZipFileSystemIndexer(opts), indexer.NewFileSystemIndexer(opts)
		if hints {
			zips.UseZipHintsFrom(dirs)
		}
		if err := indexer.NewCombined(zips, dirs).Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		var warnings []string
		for _, e := range logs.FilterMessage("ignoring invalid zip file").All() {
			warnings = append(warnings, e.ContextMap()["file.path"].(string))
		}
		return run{all(t, zips), all(t, dirs), warnings}
	}
	plain, hinted := start(false), start(true)
	if got, want := paths(hinted.zips), paths(plain.zips); !slices.Equal(got, want) || len(want) != 4 {
		t.Errorf("zip packages with hints:\n %q\nwithout:\n %q (want 4: the link to img/zz.zip is a duplicate)", got, want)
	}
	if got, want := paths(hinted.dirs), paths(plain.dirs); !slices.Equal(got, want) || len(want) != 3 {
		t.Errorf("directory packages with hints:\n %q\nwithout:\n %q", got, want)
	}
	if !slices.Equal(hinted.warnings, plain.warnings) || len(plain.warnings) != 3 {
		t.Errorf("invalid zips with hints %q, without %q (want 3)", hinted.warnings, plain.warnings)
	}
}

// A directory package that fails: Init of the zip indexer (which preloaded
// it) succeeds, the directory indexer's Init reports the failure, as with
// separate walks.
func TestZipHintsKeepErrorsWithTheirIndexer(t *testing.T) {
	root := zipHintsTree(t)
	mustWrite(t, filepath.Join(root, "broken", "1.0.0", "manifest.yml"), "name: [")
	for _, hints := range []bool{false, true} {
		opts := indexer.FSOptions{Paths: []string{root}}
		zips, dirs := indexer.NewZipFileSystemIndexer(opts), indexer.NewFileSystemIndexer(opts)
		if hints {
			zips.UseZipHintsFrom(dirs)
		}
		if err := zips.Init(context.Background()); err != nil {
			t.Errorf("hints %v: zip Init: %v", hints, err)
		}
		if err := dirs.Init(context.Background()); err == nil {
			t.Errorf("hints %v: directory Init succeeded with a broken package", hints)
		}
		if n := len(all(t, zips)); n != 4 {
			t.Errorf("hints %v: %d zip packages, want 4", hints, n)
		}
	}
}
