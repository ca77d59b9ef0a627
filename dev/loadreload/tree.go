package main

import (
	"archive/zip"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eprgo/package-registry/dev/corpus/corpusgen"
)

// window is how many versions of each churning package exist between two
// changes; during a change there is one more.
const window = 3

// tree is the package folder: stable packages that never come or go, and
// two churning packages, "churn" (a directory package) and "churnzip" (a
// zip package), whose versions move forward at every change. Version
// 1.0.<g> of either says "generation <g>" in its description.
type tree struct {
	dirs, zips string // the two package paths
	staging    string // same file system, outside the package paths
	paths      []string
	stableDirs []string // version folders of stable directory packages
	next       int      // next generation to add
	// Files of the corpus that hostile requests ask for, as URL paths:
	// a FIFO in one package's docs/ and a file nested deeper and longer
	// than any sane limit in another's.
	fifoFile, deepFile string
}

// deepLevels and deepName make the deep file: 120 folders of 10 bytes,
// over 64 levels and 1,024 bytes of name.
const (
	deepLevels = 120
	deepName   = "dddddddddd"
)

func newTree(work string, packages, versions int) (*tree, error) {
	t := &tree{
		dirs:    filepath.Join(work, "packages", "dirs"),
		zips:    filepath.Join(work, "packages", "zips"),
		staging: filepath.Join(work, "staging"),
	}
	t.paths = []string{t.dirs, t.zips}
	if err := os.MkdirAll(t.staging, 0o755); err != nil {
		return nil, err
	}
	if _, err := corpusgen.Write(corpusgen.Options{Out: t.dirs, Packages: packages, Versions: versions, Seed: 1}); err != nil {
		return nil, err
	}
	zipped := max(packages/5, 1)
	if _, err := corpusgen.Write(corpusgen.Options{Out: t.zips, Packages: zipped, Versions: 2, Seed: 2, Zip: true}); err != nil {
		return nil, err
	}
	matches, err := filepath.Glob(filepath.Join(t.dirs, "*", "*"))
	if err != nil {
		return nil, err
	}
	for _, m := range matches {
		if info, err := os.Stat(m); err == nil && info.IsDir() {
			t.stableDirs = append(t.stableDirs, m)
		}
	}
	if len(t.stableDirs) < 2 {
		return nil, fmt.Errorf("%d stable directory packages: at least 2 are needed", len(t.stableDirs))
	}
	if err := t.plantHostileFiles(); err != nil {
		return nil, err
	}
	for g := 1; g <= window; g++ {
		if err := t.add(g); err != nil {
			return nil, err
		}
	}
	t.next = window + 1
	return t, nil
}

// plantHostileFiles puts the FIFO and the deep file into the first two
// stable directory packages (sorted, so always the same ones).
func (t *tree) plantHostileFiles() error {
	fifoPkg, deepPkg := t.stableDirs[0], t.stableDirs[1]
	if err := unix.Mkfifo(filepath.Join(fifoPkg, "docs", "fifo.md"), 0o644); err != nil {
		return fmt.Errorf("creating the FIFO: %w", err)
	}
	t.fifoFile = t.urlPath(fifoPkg, "docs/fifo.md")
	deepRel := "docs/" + strings.Repeat(deepName+"/", deepLevels) + "leaf.md"
	deepPath := filepath.Join(deepPkg, filepath.FromSlash(deepRel))
	if err := os.MkdirAll(filepath.Dir(deepPath), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(deepPath, []byte("# deep\n"), 0o644); err != nil {
		return err
	}
	t.deepFile = t.urlPath(deepPkg, deepRel)
	return nil
}

// urlPath is the registry's path of a file of a version folder
// <dirs>/<name>/<version>.
func (t *tree) urlPath(versionDir, rel string) string {
	version := filepath.Base(versionDir)
	name := filepath.Base(filepath.Dir(versionDir))
	return "/package/" + name + "/" + version + "/" + rel
}

// changeLoop changes the package folder every interval until ctx ends and
// returns the number of changes made. One change adds the next generation
// of both churning packages, removes their oldest one, and rewrites the
// README of a stable package. Every step is a rename, so the registry
// never sees a half-written package.
func (t *tree) changeLoop(ctx context.Context, every time.Duration) int {
	r := rand.New(rand.NewSource(1))
	tick := time.NewTicker(every)
	defer tick.Stop()
	changes := 0
	for {
		select {
		case <-ctx.Done():
			return changes
		case <-tick.C:
		}
		g := t.next
		if err := t.add(g); err != nil {
			fmt.Fprintln(os.Stderr, "loadreload: change:", err)
			continue
		}
		if err := t.remove(g - window); err != nil {
			fmt.Fprintln(os.Stderr, "loadreload: change:", err)
		}
		if err := t.touchReadme(t.stableDirs[r.Intn(len(t.stableDirs))], g); err != nil {
			fmt.Fprintln(os.Stderr, "loadreload: change:", err)
		}
		t.next++
		changes++
	}
}

func churnFiles(name string, g int) map[string]string {
	return map[string]string{
		"manifest.yml": fmt.Sprintf(`format_version: 3.0.0
name: %s
title: Churn
version: 1.0.%d
description: Churning package, generation %d
type: integration
categories: [custom]
owner.github: elastic/loadreload
icons:
  - src: /img/icon.svg
    type: image/svg+xml
`, name, g, g),
		"docs/README.md": fmt.Sprintf("# %s generation %d\n", name, g),
		"img/icon.svg":   `<svg xmlns="http://www.w3.org/2000/svg"/>` + "\n",
	}
}

func (t *tree) add(g int) error {
	version := fmt.Sprintf("1.0.%d", g)
	stage := filepath.Join(t.staging, "churn-"+version)
	for rel, content := range churnFiles("churn", g) {
		p := filepath.Join(stage, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(t.dirs, "churn"), 0o755); err != nil {
		return err
	}
	if err := os.Rename(stage, filepath.Join(t.dirs, "churn", version)); err != nil {
		return err
	}

	zipStage := filepath.Join(t.staging, "churnzip-"+version+".zip")
	if err := writeZip(zipStage, "churnzip-"+version, churnFiles("churnzip", g)); err != nil {
		return err
	}
	return os.Rename(zipStage, filepath.Join(t.zips, "churnzip-"+version+".zip"))
}

func (t *tree) remove(g int) error {
	version := fmt.Sprintf("1.0.%d", g)
	trash := filepath.Join(t.staging, "trash-"+version)
	if err := os.Rename(filepath.Join(t.dirs, "churn", version), trash); err != nil {
		return err
	}
	if err := os.RemoveAll(trash); err != nil {
		return err
	}
	return os.Remove(filepath.Join(t.zips, "churnzip-"+version+".zip"))
}

// touchReadme replaces a stable package's README with a new text of the
// same kind: the package changes on disk, its answers do not.
func (t *tree) touchReadme(versionDir string, g int) error {
	tmp := filepath.Join(t.staging, "README.md")
	if err := os.WriteFile(tmp, []byte(fmt.Sprintf("# README\n\nRewritten at change %d.\n", g)), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(versionDir, "docs", "README.md"))
}

func writeZip(path, root string, files map[string]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for rel, content := range files {
		w, err := zw.Create(root + "/" + rel)
		if err != nil {
			f.Close()
			return err
		}
		if _, err := w.Write([]byte(content)); err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
