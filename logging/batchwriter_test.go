package logging

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowWriter records every write and takes a while over each, like a
// pipe whose reader is busy.
type slowWriter struct {
	mu     sync.Mutex
	out    bytes.Buffer
	calls  int
	err    error
	synced int
}

func (s *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(200 * time.Microsecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.out.Write(p)
	return len(p), s.err
}

func (s *slowWriter) Sync() error { s.synced++; return nil }

func TestBatchWriterKeepsEveryLineWholeAndInOrder(t *testing.T) {
	const writers, lines = 8, 500
	sw := &slowWriter{}
	b := newBatchWriter(sw, 4<<10, batchWindow) // small bound: writers wait on it
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				fmt.Fprintf(b, "{\"g\":%d,\"i\":%d,\"pad\":%q}\n", g, i, strings.Repeat("x", i%97))
			}
		}()
	}
	wg.Wait()
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	if sw.synced != 1 {
		t.Errorf("underlying Sync called %d times, want 1", sw.synced)
	}
	next := make([]int, writers)
	got := strings.Split(strings.TrimSuffix(sw.out.String(), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("%d lines written, want %d", len(got), writers*lines)
	}
	for _, line := range got {
		var g, i int
		var pad string
		if _, err := fmt.Sscanf(line, "{\"g\":%d,\"i\":%d,\"pad\":%q}", &g, &i, &pad); err != nil || pad != strings.Repeat("x", i%97) {
			t.Fatalf("torn or mixed line %q (%v)", line, err)
		}
		if i != next[g] {
			t.Fatalf("writer %d: line %d after %d", g, i, next[g]-1)
		}
		next[g]++
	}
	// The point of it: lines that arrive during a write share the next.
	if sw.calls >= writers*lines {
		t.Errorf("%d writes for %d lines: nothing was batched", sw.calls, writers*lines)
	}
	t.Logf("%d lines in %d writes", writers*lines, sw.calls)
}

func TestBatchWriterSyncWaitsAndReportsErrors(t *testing.T) {
	sw := &slowWriter{err: errors.New("disk full")}
	b := newBatchWriter(sw, batchWriterMax, batchWindow)
	b.Write([]byte("one\n"))
	b.Write([]byte(strings.Repeat("y", 3*batchWriterMax) + "\n")) // larger than the bound: written whole
	if err := b.Sync(); err == nil || err.Error() != "disk full" {
		t.Errorf("Sync = %v, want the write error", err)
	}
	if got := sw.out.Len(); got != 4+3*batchWriterMax+1 {
		t.Errorf("%d bytes written before Sync returned, want all", got)
	}
	sw.mu.Lock()
	sw.err = nil
	sw.mu.Unlock()
	if err := b.Sync(); err != nil {
		t.Errorf("second Sync = %v, want nil (error reported once)", err)
	}
}

// A line on a quiet process is written before Write returns; one that
// follows it within the window is written by the timer, without Sync.
func TestBatchWriterQuietLinesAtOnceBurstsByTimer(t *testing.T) {
	sw := &slowWriter{}
	b := newBatchWriter(sw, batchWriterMax, 20*time.Millisecond)
	written := func() string {
		sw.mu.Lock()
		defer sw.mu.Unlock()
		return sw.out.String()
	}
	b.Write([]byte("first\n"))
	if got := written(); got != "first\n" {
		t.Fatalf("after the first line: %q written, want it at once", got)
	}
	b.Write([]byte("second\n"))
	b.Write([]byte("third\n"))
	deadline := time.Now().Add(10 * time.Second)
	for written() != "first\nsecond\nthird\n" {
		if time.Now().After(deadline) {
			t.Fatalf("burst never written by the timer: %q", written())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if sw.calls != 2 {
		t.Errorf("%d writes, want 2 (the quiet line, then the burst)", sw.calls)
	}
}
