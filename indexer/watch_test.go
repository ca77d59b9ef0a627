package indexer_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest/observer"

	"github.com/eprgo/package-registry/indexer"
)

// eventually polls cond until it holds or the deadline passes. The
// watcher works asynchronously: the assertions wait for a state, never
// for a fixed time.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not the case after 10s; last: %s", what, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// indexIs waits until the combined index lists exactly want.
func indexIs(t *testing.T, idx indexer.Indexer, want string) {
	t.Helper()
	eventually(t, "index = "+want, func() (bool, string) {
		got := sortedTitles(t, idx)
		return got == want, got
	})
}

// sortedTitles lists the index by name and version (the combined
// indexer returns zip packages first).
func sortedTitles(t *testing.T, idx indexer.Indexer) string {
	t.Helper()
	pkgs := all(t, idx)
	sort.Slice(pkgs, func(i, j int) bool {
		if pkgs[i].Name != pkgs[j].Name {
			return pkgs[i].Name < pkgs[j].Name
		}
		return pkgs[i].Version < pkgs[j].Version
	})
	return titles(pkgs)
}

// logged waits until message has been logged n times in total.
func logged(t *testing.T, logs *observer.ObservedLogs, message string, n int) {
	t.Helper()
	eventually(t, "log "+message, func() (bool, string) {
		got := logs.FilterMessage(message).Len()
		return got >= n, "logged " + strconv.Itoa(got) + " times"
	})
}

// moveIn writes a package in a staging folder and renames it into place,
// the atomic way operators are told to publish packages.
func moveIn(t *testing.T, staging, target, name, version, title string) {
	t.Helper()
	src := filepath.Join(staging, name+"-"+version)
	writePkg(t, src, name, version, title)
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(src, target); err != nil {
		t.Fatal(err)
	}
}

type fixture struct {
	root, staging string
	combined      indexer.Indexer
	logs          *observer.ObservedLogs
	updates       atomic.Int32
}

// startWatched indexes root (directories and zips, unsigned allowed) and
// watches it.
func startWatched(t *testing.T, opts indexer.WatchOptions, requireSignatures bool) *fixture {
	t.Helper()
	f := &fixture{root: t.TempDir(), staging: t.TempDir()}
	return f.start(t, opts, requireSignatures)
}

func (f *fixture) start(t *testing.T, opts indexer.WatchOptions, requireSignatures bool) *fixture {
	t.Helper()
	logger, logs := observed()
	f.logs = logs
	o := indexer.FSOptions{Paths: []string{f.root}, Logger: logger, RequireSignatures: requireSignatures}
	zips, dirs := indexer.NewZipFileSystemIndexer(o), indexer.NewFileSystemIndexer(o)
	f.combined = indexer.NewCombined(zips, dirs)
	if err := f.combined.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	opts.Logger = logger
	opts.OnUpdate = func(indexer.Rescanner) { f.updates.Add(1) }
	w := indexer.StartWatcher(context.Background(), opts, zips, dirs)
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return f
}

func TestWatcherFollowsTheTree(t *testing.T) {
	f := &fixture{root: t.TempDir(), staging: t.TempDir()}
	writePkg(t, filepath.Join(f.root, "alpha", "1.0.0"), "alpha", "1.0.0", "a1")
	f.start(t, indexer.WatchOptions{Debounce: 100 * time.Millisecond}, false)
	indexIs(t, f.combined, "alpha@1.0.0=a1")

	steps := []struct {
		name   string
		change func(t *testing.T)
		want   string
	}{
		{"new package folder moved in", func(t *testing.T) {
			moveIn(t, f.staging, filepath.Join(f.root, "beta", "1.0.0"), "beta", "1.0.0", "b1")
		}, "alpha@1.0.0=a1 beta@1.0.0=b1"},
		{"new version folder inside an existing package folder", func(t *testing.T) {
			moveIn(t, f.staging, filepath.Join(f.root, "alpha", "1.1.0"), "alpha", "1.1.0", "a11")
		}, "alpha@1.0.0=a1 alpha@1.1.0=a11 beta@1.0.0=b1"},
		{"version folder written in place, file by file", func(t *testing.T) {
			writePkg(t, filepath.Join(f.root, "alpha", "1.2.0"), "alpha", "1.2.0", "a12")
		}, "alpha@1.0.0=a1 alpha@1.1.0=a11 alpha@1.2.0=a12 beta@1.0.0=b1"},
		{"edit inside a package", func(t *testing.T) {
			mustWrite(t, filepath.Join(f.root, "alpha", "1.0.0", "manifest.yml"), manifest("alpha", "1.0.0", "a1-edited"))
		}, "alpha@1.0.0=a1-edited alpha@1.1.0=a11 alpha@1.2.0=a12 beta@1.0.0=b1"},
		{"zip deep in a new sub-folder", func(t *testing.T) {
			src := filepath.Join(f.staging, "zsrc")
			writePkg(t, src, "zeta", "1.0.0", "z1")
			writeZip(t, src, "zeta-1.0.0", filepath.Join(f.root, "zips", "deep", "zeta-1.0.0.zip"))
		}, "alpha@1.0.0=a1-edited alpha@1.1.0=a11 alpha@1.2.0=a12 beta@1.0.0=b1 zeta@1.0.0=z1"},
		{"version folder removed", func(t *testing.T) {
			if err := os.RemoveAll(filepath.Join(f.root, "alpha", "1.1.0")); err != nil {
				t.Fatal(err)
			}
		}, "alpha@1.0.0=a1-edited alpha@1.2.0=a12 beta@1.0.0=b1 zeta@1.0.0=z1"},
		{"folder holding a zip moved out", func(t *testing.T) {
			if err := os.Rename(filepath.Join(f.root, "zips"), filepath.Join(f.staging, "zips-gone")); err != nil {
				t.Fatal(err)
			}
		}, "alpha@1.0.0=a1-edited alpha@1.2.0=a12 beta@1.0.0=b1"},
		{"whole package folder removed", func(t *testing.T) {
			if err := os.RemoveAll(filepath.Join(f.root, "beta")); err != nil {
				t.Fatal(err)
			}
		}, "alpha@1.0.0=a1-edited alpha@1.2.0=a12"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change(t)
			indexIs(t, f.combined, s.want)
		})
	}
	if f.updates.Load() == 0 {
		t.Error("OnUpdate was never called")
	}
}

func TestWatcherKeepsOldIndexOnBrokenPackage(t *testing.T) {
	f := &fixture{root: t.TempDir(), staging: t.TempDir()}
	writePkg(t, filepath.Join(f.root, "ok", "1.0.0"), "ok", "1.0.0", "ok")
	f.start(t, indexer.WatchOptions{Debounce: 100 * time.Millisecond}, false)

	// A manifest without the required fields fails the whole rescan.
	mustWrite(t, filepath.Join(f.root, "broken", "1.0.0", "manifest.yml"), "version: 1.0.0\n")
	logged(t, f.logs, "updating package filesystem index failed", 1)
	if got := sortedTitles(t, f.combined); got != "ok@1.0.0=ok" {
		t.Fatalf("the previous index must stay in service, got %s", got)
	}
	failed := f.logs.FilterMessage("updating package filesystem index failed").All()[0]
	if failed.ContextMap()["indexer"] != "FileSystemIndexer" {
		t.Errorf("failure logged for indexer %v", failed.ContextMap()["indexer"])
	}

	// Fixing the package is a change like any other.
	writePkg(t, filepath.Join(f.root, "broken", "1.0.0"), "broken", "1.0.0", "fixed")
	indexIs(t, f.combined, "broken@1.0.0=fixed ok@1.0.0=ok")
	logged(t, f.logs, "package filesystem index updated", 1)
}

// A signature added after its zip used to go to the wrong indexer
// upstream; here the zip indexer rescans and the package appears.
func TestWatcherSeesLateZipSignature(t *testing.T) {
	f := startWatched(t, indexer.WatchOptions{Debounce: 100 * time.Millisecond}, true)
	src := filepath.Join(f.staging, "src")
	writePkg(t, src, "signed", "1.0.0", "s1")
	zipPath := filepath.Join(f.root, "signed-1.0.0.zip")
	writeZip(t, src, "signed-1.0.0", zipPath)
	logged(t, f.logs, "updating package filesystem index failed", 1)
	indexIs(t, f.combined, "")

	mustWrite(t, zipPath+".sig", "signature\n")
	indexIs(t, f.combined, "signed@1.0.0=s1")
}

func TestWatcherRoutesEventsByKind(t *testing.T) {
	f := startWatched(t, indexer.WatchOptions{Debounce: 100 * time.Millisecond}, false)
	mustWrite(t, filepath.Join(f.root, "notes.txt"), "not a package\n")
	logged(t, f.logs, "package filesystem index updated", 1)
	for _, e := range f.logs.FilterMessage("package filesystem index updated").All() {
		if got := e.ContextMap()["indexer"]; got != "FileSystemIndexer" {
			t.Errorf("a plain file must only rescan the directory indexer, got %v", got)
		}
	}
	skipped := f.logs.FilterMessage("skipping event at indexer").All()
	if len(skipped) == 0 || skipped[0].ContextMap()["indexer"] != "ZipFileSystemIndexer" {
		t.Errorf("the zip indexer must log that it skips the event: %v", skipped)
	}
}

func TestWatcherDefaultDebounce(t *testing.T) {
	f := startWatched(t, indexer.WatchOptions{}, false)
	moveIn(t, f.staging, filepath.Join(f.root, "late", "2.0.0"), "late", "2.0.0", "l2")
	indexIs(t, f.combined, "late@2.0.0=l2")
}

// TestWatcherPolling runs the watcher without inotify, as on NFS: the
// poller alone follows additions, edits and removals, and picks up a
// package path that did not exist at start-up.
func TestWatcherPolling(t *testing.T) {
	base := t.TempDir()
	f := &fixture{root: filepath.Join(base, "not-yet"), staging: t.TempDir()}
	f.start(t, indexer.PollOnly(indexer.WatchOptions{
		Debounce:     50 * time.Millisecond,
		PollInterval: 50 * time.Millisecond,
	}), false)
	indexIs(t, f.combined, "")

	moveIn(t, f.staging, filepath.Join(f.root, "p", "1.0.0"), "p", "1.0.0", "p1")
	indexIs(t, f.combined, "p@1.0.0=p1")

	// Same size, new content and time: the fingerprint includes mtime.
	manifestPath := filepath.Join(f.root, "p", "1.0.0", "manifest.yml")
	mustWrite(t, manifestPath, manifest("p", "1.0.0", "p2"))
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(manifestPath, future, future); err != nil {
		t.Fatal(err)
	}
	indexIs(t, f.combined, "p@1.0.0=p2")

	src := filepath.Join(f.staging, "zsrc")
	writePkg(t, src, "z", "1.0.0", "z1")
	writeZip(t, src, "z-1.0.0", filepath.Join(f.root, "z-1.0.0.zip"))
	indexIs(t, f.combined, "p@1.0.0=p2 z@1.0.0=z1")

	if err := os.RemoveAll(filepath.Join(f.root, "p")); err != nil {
		t.Fatal(err)
	}
	indexIs(t, f.combined, "z@1.0.0=z1")
}

func TestWatcherMissingRootIsLogged(t *testing.T) {
	f := &fixture{root: filepath.Join(t.TempDir(), "missing"), staging: t.TempDir()}
	f.start(t, indexer.WatchOptions{}, false)
	entries := f.logs.FilterMessage("failed to watch path").All()
	if len(entries) != 1 || entries[0].ContextMap()["path"] != f.root {
		t.Errorf("want one 'failed to watch path' for %s, got %v", f.root, entries)
	}
}
