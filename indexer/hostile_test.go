package indexer_test

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest/observer"

	"github.com/eprgo/package-registry/indexer"
)

// Hostile packages among good ones (docs/security.md). Files that cannot
// be served safely are left out of their package with a warning and the
// package is served; a package that cannot be loaded at all fails the
// indexer as any broken package does (upstream's rule: fatal at start-up),
// and on a rescan the previous index stays in service.

const outsideSecret = "SECRET OUTSIDE THE PACKAGES"

func logLines(logs *observer.ObservedLogs) []string {
	var out []string
	for _, e := range logs.All() {
		line := e.Message
		for k, v := range e.ContextMap() {
			line += fmt.Sprintf(" %s=%v", k, v)
		}
		out = append(out, line)
	}
	return out
}

func requireLog(t *testing.T, logs *observer.ObservedLogs, parts ...string) {
	t.Helper()
	for _, l := range logLines(logs) {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			return
		}
	}
	t.Errorf("no log line with %q among:\n%s", parts, strings.Join(logLines(logs), "\n"))
}

// writeHostileZip writes a valid package t-zip 1.0.0 whose archive also
// holds entries climbing out of it and a duplicate manifest.
func writeHostileZip(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, e := range []struct{ name, content string }{
		{"tzip-1.0.0/manifest.yml", manifest("tzip", "1.0.0", "zip")},
		{"tzip-1.0.0/docs/README.md", "# zip\n"},
		{"tzip-1.0.0/../../secret.txt", outsideSecret},
		{"/etc/cron.d/evil", outsideSecret},
		{"tzip-1.0.0/manifest.yml", manifest("evil", "6.6.6", "evil")},
	} {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestHostilePackagesAreServedSafely(t *testing.T) {
	root := t.TempDir()
	pkgs := filepath.Join(root, "packages")
	mustWrite(t, filepath.Join(root, "secret.txt"), outsideSecret)
	writePkg(t, filepath.Join(pkgs, "good", "1.0.0"), "good", "1.0.0", "good")
	links := filepath.Join(pkgs, "links", "1.0.0")
	writePkg(t, links, "links", "1.0.0", "links")
	mustWrite(t, filepath.Join(links, "img", "caf\xe9.png"), "latin-1 name")
	if err := os.Symlink("../../../../secret.txt", filepath.Join(links, "img", "secret.png")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(links, "etc")); err != nil {
		t.Fatal(err)
	}
	writeHostileZip(t, filepath.Join(pkgs, "tzip-1.0.0.zip"))

	logger, logs := observed()
	opts := indexer.FSOptions{Paths: []string{pkgs}, Logger: logger}
	idx := indexer.NewCombined(indexer.NewZipFileSystemIndexer(opts), indexer.NewFileSystemIndexer(opts))
	if err := idx.Init(context.Background()); err != nil {
		t.Fatalf("hostile files failed the index: %v", err)
	}
	got := all(t, idx)
	if titles(got) != "tzip@1.0.0=zip good@1.0.0=good links@1.0.0=links" {
		t.Errorf("served %s", titles(got))
	}
	for _, p := range got {
		for _, a := range p.Assets {
			if strings.Contains(a, "secret") || strings.Contains(a, "etc") || strings.Contains(a, "caf") {
				t.Errorf("%s lists %s", p.Name, a)
			}
		}
	}
	zipPath := filepath.Join(pkgs, "tzip-1.0.0.zip")
	requireLog(t, logs, "ignoring zip entry", "file.path="+zipPath, "zip.entry=tzip-1.0.0/../../secret.txt", "reason=unsafe entry name")
	requireLog(t, logs, "ignoring zip entry", "zip.entry=/etc/cron.d/evil", "reason=unsafe entry name")
	requireLog(t, logs, "ignoring zip entry", "zip.entry=tzip-1.0.0/manifest.yml", "reason=duplicate entry name")
	requireLog(t, logs, "ignoring package file", "file.path="+filepath.Join(links, "img", "secret.png"), "path escapes from parent")
	requireLog(t, logs, "ignoring package file", "file.path="+filepath.Join(links, "etc"), "path escapes from parent")
	requireLog(t, logs, "ignoring package file", "not valid UTF-8")
}

func TestRefusedPackageNamesFileAndReason(t *testing.T) {
	laughs := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		laughs += n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+", ", 10), ", ") + "]\n"
		prev = n
	}
	cases := []struct {
		name, manifest, reason string
	}{
		{"billion laughs", manifest("bad", "1.0.0", "bad") + laughs, "yaml: document too large"},
		{"many megabytes", manifest("bad", "1.0.0", "bad") + "description: " + strings.Repeat("x", 5<<20) + "\n",
			"manifest.yml: file too large to be parsed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			writePkg(t, filepath.Join(root, "good", "1.0.0"), "good", "1.0.0", "good")
			idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{root}})
			if err := idx.Init(context.Background()); err != nil {
				t.Fatal(err)
			}

			bad := filepath.Join(root, "bad", "1.0.0")
			writePkg(t, bad, "bad", "1.0.0", "bad")
			mustWrite(t, filepath.Join(bad, "manifest.yml"), c.manifest)
			err := idx.Rescan(context.Background())
			if err == nil || !strings.Contains(err.Error(), "(path: "+bad+")") || !strings.Contains(err.Error(), c.reason) {
				t.Fatalf("rescan error %v, want the path and %q", err, c.reason)
			}
			if got := titles(all(t, idx)); got != "good@1.0.0=good" {
				t.Errorf("the previous index must stay in service, got %s", got)
			}

			// At start-up the same package fails Init with the same
			// message, which main logs before exiting.
			logger, logs := observed()
			fresh := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{root}, Logger: logger})
			if err := fresh.Init(context.Background()); err == nil || !strings.Contains(err.Error(), c.reason) {
				t.Fatalf("init error %v", err)
			}
			requireLog(t, logs, "initializing package filesystem index failed", bad, c.reason)
		})
	}
}
