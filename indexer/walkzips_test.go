package indexer

import (
	"archive/zip"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// The parallel walk finds the archives of a single filepath.WalkDir, in
// the same order, and warns about the same invalid ones in that order.
func TestWalkZipsInWalkOrder(t *testing.T) {
	root := t.TempDir()
	valid := func(rel string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		if _, err := zw.Create("x/manifest.yml"); err != nil {
			t.Fatal(err)
		}
		zw.Close()
		f.Close()
	}
	invalid := func(rel string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("not a zip"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range []string{"a.zip", "a/b.zip", "a/c/d.zip", "a-b.zip", "z/y/x.zip", "m.zip", "0.zip"} {
		valid(rel)
	}
	for _, rel := range []string{"a/bad.zip", "n/bad.zip", "bad.zip"} {
		invalid(rel)
	}
	// A folder larger than one read of its entries.
	for i := range 400 {
		invalid(fmt.Sprintf("big/%s-%03d.txt", strings.Repeat("long-name", 6), i))
	}
	valid("big/zz.zip")
	if err := os.Symlink(filepath.Join(root, "a"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}

	var want, wantWarned []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".zip") {
			return err
		}
		if r, err := zip.OpenReader(p); err == nil {
			r.Close()
			want = append(want, p)
		} else {
			wantWarned = append(wantWarned, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	core, logs := observer.New(zap.WarnLevel)
	i := newFSIndexer(FSOptions{Paths: []string{root}, Workers: 3, Logger: zap.New(core)}, true, "zips")
	got, err := i.walkZips(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("found\n%q\nwant\n%q", got, want)
	}
	var warned []string
	for _, e := range logs.All() {
		warned = append(warned, e.ContextMap()["file.path"].(string))
	}
	if !slices.Equal(warned, wantWarned) {
		t.Errorf("warned about\n%q\nwant\n%q", warned, wantWarned)
	}

	// A missing root is no error; a root that is a link is not followed.
	if got, err := i.walkZips(context.Background(), filepath.Join(root, "missing"), nil); err != nil || len(got) != 0 {
		t.Errorf("missing root: %q, %v", got, err)
	}
	if got, err := i.walkZips(context.Background(), filepath.Join(root, "link"), nil); err != nil || len(got) != 0 {
		t.Errorf("linked root: %q, %v", got, err)
	}
}

// The directory load tells the zip files of each package folder, in walk
// order, and the zip walk takes them instead of entering the folder.
func TestZipHintsAreUsed(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"alpha/1.0.0/manifest.yml", "alpha/1.0.0/docs/README.md"} {
		os.MkdirAll(filepath.Dir(filepath.Join(root, f)), 0o755)
		os.WriteFile(filepath.Join(root, f), []byte("format_version: 3.0.0\nname: alpha\ntitle: A\nversion: 1.0.0\ndescription: d\nowner:\n  github: t\n"), 0o644)
	}
	for _, f := range []string{"alpha/1.0.0/img/b.zip", "alpha/1.0.0/a.zip", "alpha/1.0.0/img.zip", "alpha/1.0.0/img/a/c.zip"} {
		os.MkdirAll(filepath.Dir(filepath.Join(root, f)), 0o755)
		os.WriteFile(filepath.Join(root, f), []byte("not a zip"), 0o644)
	}
	opts := FSOptions{Paths: []string{root}, Workers: 2}
	dirs, zips := NewFileSystemIndexer(opts), NewZipFileSystemIndexer(opts)
	hints := dirs.preloadZipHints(context.Background())
	pkg := filepath.Join(root, "alpha", "1.0.0")
	want := []string{filepath.Join(pkg, "a.zip"), filepath.Join(pkg, "img/a/c.zip"), filepath.Join(pkg, "img/b.zip"), filepath.Join(pkg, "img.zip")}
	if got := hints[pkg]; !slices.Equal(got, want) || len(hints) != 1 {
		t.Fatalf("hints %q, want %s: %q", hints, pkg, want)
	}
	if dirs.preloadZipHints(context.Background()) != nil {
		t.Error("a second preload must not load again")
	}
	// A hint that lists nothing: the folder is not entered.
	if found, err := zips.walkZips(context.Background(), root, map[string][]string{pkg: nil}); err != nil || len(found) != 0 {
		t.Errorf("walk with an empty hint found %q (%v), want nothing", found, err)
	}
	if err := dirs.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := dirs.Get(context.Background(), nil); len(got) != 1 {
		t.Errorf("Init after the preload serves %d packages, want 1", len(got))
	}
}
