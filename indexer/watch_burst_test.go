package indexer_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/eprgo/package-registry/indexer"
)

// TestWatcherRescansDuringEndlessChanges: a folder that changes more often
// than the debounce time is still rescanned (found by the load-and-reload
// run of dev/loadreload, where a change every second starved a one-second
// debounce). The changes go on until the index shows one of them, so the
// test waits for a state, not for a time; before the fix it never came.
func TestWatcherRescansDuringEndlessChanges(t *testing.T) {
	const debounce = 100 * time.Millisecond
	f := startWatched(t, indexer.WatchOptions{Debounce: debounce}, false)
	writePkg(t, filepath.Join(f.staging, "seed"), "a", "1.0.0", "first")
	if err := os.MkdirAll(filepath.Join(f.root, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(f.staging, "seed"), filepath.Join(f.root, "a", "1.0.0")); err != nil {
		t.Fatal(err)
	}
	noise := filepath.Join(f.root, "noise.txt")
	for i := 0; sortedTitles(t, f.combined) != "a@1.0.0=first"; i++ {
		if i > 500 { // 500 changes over 100 debounce times
			t.Fatal("no rescan of the directories while the folder kept changing")
		}
		if err := os.WriteFile(noise, []byte(strconv.Itoa(i)), 0o644); err != nil {
			t.Fatal(err)
		}
		time.Sleep(debounce / 5)
	}
}

// TestWatcherSurvivesFoldersMovedOutAndDeleted: folders moved out of the
// tree and deleted at once, while new ones are moved in, must not stop the
// watcher. fsnotify's reader can hold its lock while it waits for its
// Errors channel to be read (a watch the kernel already dropped), so an
// Add or Remove made by the goroutine that reads that channel deadlocked
// and no change was ever seen again (found by dev/loadreload).
func TestWatcherSurvivesFoldersMovedOutAndDeleted(t *testing.T) {
	f := startWatched(t, indexer.WatchOptions{Debounce: 20 * time.Millisecond}, false)
	trash := t.TempDir()
	for i := 1; i <= 40; i++ {
		v := "1.0." + strconv.Itoa(i)
		moveIn(t, f.staging, filepath.Join(f.root, "churn", v), "churn", v, "gen"+strconv.Itoa(i))
		if i > 1 {
			old := filepath.Join(f.root, "churn", "1.0."+strconv.Itoa(i-1))
			gone := filepath.Join(trash, strconv.Itoa(i))
			if err := os.Rename(old, gone); err != nil {
				t.Fatal(err)
			}
			if err := os.RemoveAll(gone); err != nil {
				t.Fatal(err)
			}
		}
		indexIs(t, f.combined, "churn@"+v+"=gen"+strconv.Itoa(i))
	}
}
