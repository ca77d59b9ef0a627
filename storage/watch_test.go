package storage

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// With an interval, the watcher polls once right after Init (two cursor
// reads at startup) and then on every tick.
func TestWatcherPollsImmediatelyThenOnTicks(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ti := newTestIndexer(t, f, false, time.Hour)
	if err := ti.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the immediate second update", func() bool {
		_, _, d := ti.metrics.snapshot()
		return d == 2
	})
	if n := ti.logs.FilterMessage("load cursor file").Len(); n != 2 {
		t.Errorf("%d cursor reads", n)
	}

	// A short interval picks up new revisions on its own.
	f2 := newFakeGCS(t, "")
	f2.publishIndex("1", "index-a.json")
	f2.setCursor("1")
	fast := newTestIndexer(t, f2, false, 10*time.Millisecond)
	if err := fast.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	f2.publishIndex("2", "index-b.json")
	f2.setCursor("2")
	eventually(t, "revision 2", func() bool { return find(fast.all(t), "fresh", "0.0.1") != nil })
}

// Errors while polling are logged and the loop goes on.
func TestWatcherLogsErrorsAndRetries(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ti := newTestIndexer(t, f, false, 10*time.Millisecond)
	if err := ti.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.setCursor("2") // no index for revision 2 yet
	eventually(t, "an error log", func() bool {
		return ti.logs.FilterMessage("can't update index file").Len() > 1
	})
	entry := ti.logs.FilterMessage("can't update index file").All()[0]
	if msg, _ := entry.ContextMap()["error"].(string); !strings.Contains(msg, "object doesn't exist") {
		t.Errorf("error field %q", msg)
	}
	f.publishIndex("2", "index-b.json")
	eventually(t, "recovery", func() bool { return find(ti.all(t), "fresh", "0.0.1") != nil })
}

func TestWatcherDisabledWithZeroInterval(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ti := newTestIndexer(t, f, false, 0)
	if err := ti.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := ti.logs.FilterMessage("No watcher configured, indices will not be updated (use only for testing purposes)").Len(); n != 1 {
		t.Errorf("%d no-watcher logs", n)
	}
	if n := ti.logs.FilterMessage("Watch indices for changes").Len(); n != 0 {
		t.Error("a watcher was started")
	}
	if err := ti.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Close ends the loop and waits for it.
func TestWatcherStopsOnClose(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ti := newTestIndexer(t, f, false, time.Millisecond)
	if err := ti.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a few polls", func() bool { _, _, d := ti.metrics.snapshot(); return d > 3 })
	if err := ti.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ti.logs.FilterMessage("watchIndices: quit").Len() != 1 {
		t.Error("no quit log")
	}
}

// Requests running while the index is swapped see either the old or the
// new index, never a mix, and never an error.
func TestIndexerConcurrentReadsDuringSwaps(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.publishIndex("2", "index-b.json")
	f.setCursor("1")
	ti := newTestIndexer(t, f, false, 0)
	if err := ti.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantA := keys(ti.all(t))
	f.setCursor("2")
	ti.mustUpdate(t)
	wantB := keys(ti.all(t))
	runConcurrentSwaps(t, func(rev string) error {
		f.setCursor(rev)
		return ti.update(context.Background())
	}, func() ([]string, error) {
		pkgs, err := ti.Get(context.Background(), nil)
		return keys(pkgs), err
	}, wantA, wantB)
}

// runConcurrentSwaps alternates the published revision between 1 and 2
// while readers check that every answer is one of the two indexes.
func runConcurrentSwaps(t *testing.T, update func(rev string) error, read func() ([]string, error), wantA, wantB []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	var problems []string
	seen := map[string]int{}
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				got, err := read()
				mu.Lock()
				switch {
				case err != nil:
					problems = append(problems, "error: "+err.Error())
				case sameStrings(got, wantA):
					seen["a"]++
				case sameStrings(got, wantB):
					seen["b"]++
				default:
					problems = append(problems, "mixed answer: "+strings.Join(got, ","))
				}
				mu.Unlock()
			}
		}()
	}
	for n := 0; n < 20; n++ {
		rev := []string{"1", "2"}[n%2]
		if err := update(rev); err != nil {
			t.Error(err)
		}
	}
	cancel()
	wg.Wait()
	if len(problems) > 0 {
		t.Fatalf("%d bad reads, first: %s", len(problems), problems[0])
	}
	if seen["a"]+seen["b"] == 0 {
		t.Fatal("no reads happened")
	}
}
