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
	got, err := i.walkZips(context.Background(), root)
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
	if got, err := i.walkZips(context.Background(), filepath.Join(root, "missing")); err != nil || len(got) != 0 {
		t.Errorf("missing root: %q, %v", got, err)
	}
	if got, err := i.walkZips(context.Background(), filepath.Join(root, "link")); err != nil || len(got) != 0 {
		t.Errorf("linked root: %q, %v", got, err)
	}
}
