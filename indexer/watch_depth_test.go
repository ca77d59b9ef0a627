package indexer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsnotify/fsnotify"
)

// A tree deeper than anything a package can serve is watched only down to
// maxWatchDepth below its package path, at start and when it is moved in
// later: a hostile folder cannot use up the user's inotify watches.
func TestWatcherDepthIsBounded(t *testing.T) {
	root := t.TempDir()
	deep := func(top string) {
		p := filepath.Join(top, strings.Repeat("d"+string(filepath.Separator), maxWatchDepth+30))
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	deep(filepath.Join(root, "pkg"))
	idx := NewFileSystemIndexer(FSOptions{Paths: []string{root}})
	w := StartWatcher(context.Background(), WatchOptions{}, idx)
	t.Cleanup(func() { w.Close() })
	if w.fsw == nil {
		t.Fatal("no inotify watcher on this machine")
	}
	count := func() (n, deepest int) {
		w.mu.Lock()
		defer w.mu.Unlock()
		for d := range w.dirs {
			deepest = max(deepest, depthBelow(root, d))
		}
		return len(w.dirs), deepest
	}
	// The root, pkg and the d folders down to the limit.
	if n, deepest := count(); deepest != maxWatchDepth || n != maxWatchDepth+1 {
		t.Fatalf("%d folders watched, the deepest %d below the root; want %d, %d", n, deepest, maxWatchDepth+1, maxWatchDepth)
	}

	// A second deep tree moved in: the same bound (addTree on the event).
	staging := t.TempDir()
	deep(filepath.Join(staging, "other"))
	if err := os.Rename(filepath.Join(staging, "other"), filepath.Join(root, "other")); err != nil {
		t.Fatal(err)
	}
	// The event the move causes, handled here so the check does not
	// wait for the event loop (which handles the same event again:
	// folders already watched are skipped).
	w.handleEvent(fsnotify.Event{Name: filepath.Join(root, "other"), Op: fsnotify.Create})
	if n, deepest := count(); deepest != maxWatchDepth || n != 2*maxWatchDepth+1 {
		t.Fatalf("after a move: %d folders watched, the deepest %d; want %d, %d", n, deepest, 2*maxWatchDepth+1, maxWatchDepth)
	}
}
