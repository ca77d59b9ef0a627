package indexer

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"

	"github.com/eprgo/package-registry/loader"
)

// relevantOps are the changes that can alter an index; a chmod alone
// cannot.
const relevantOps = fsnotify.Create | fsnotify.Write | fsnotify.Remove | fsnotify.Rename

// eventLoop drains fsnotify's channels and hands the events, in order, to
// handleLoop. The two must not be one goroutine: handling an event adds and
// removes watches, and fsnotify's reader can hold the lock those calls need
// while it waits for its Errors channel to be read (when it fails to drop
// a watch the kernel already dropped: a folder moved out and deleted at
// once). Reading and handling in one goroutine deadlocked there, and the
// watcher never saw another change (found by dev/loadreload).
func (w *Watcher) eventLoop(ctx context.Context) {
	defer w.wg.Done()
	q := &eventQueue{wake: make(chan struct{}, 1)}
	w.wg.Add(1)
	go w.handleLoop(ctx, q)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			q.push(ev)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, syscall.EINVAL) {
				// fsnotify dropping a watch the kernel had already
				// dropped: a folder moved out and deleted at once.
				// Nothing is lost, and it is routine for operators.
				w.logger.Debug("fsnotify watcher error", zap.Error(err))
				continue
			}
			// Typically an inotify queue overflow: events were lost, so
			// every indexer rescans to be sure.
			w.logger.Error("fsnotify watcher error", zap.Error(err))
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				for _, t := range w.targets {
					t.trigger()
				}
			}
		}
	}
}

// eventQueue is unbounded on purpose: a bounded one would block the
// reader again whenever handling falls behind.
type eventQueue struct {
	mu     sync.Mutex
	events []fsnotify.Event
	wake   chan struct{}
}

func (q *eventQueue) push(ev fsnotify.Event) {
	q.mu.Lock()
	q.events = append(q.events, ev)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) pop() (fsnotify.Event, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.events) == 0 {
		q.events = nil // let the backing array go after a burst
		return fsnotify.Event{}, false
	}
	ev := q.events[0]
	q.events = q.events[1:]
	return ev, true
}

func (w *Watcher) handleLoop(ctx context.Context, q *eventQueue) {
	defer w.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		}
		for ev, ok := q.pop(); ok && ctx.Err() == nil; ev, ok = q.pop() {
			w.handleEvent(ev)
		}
	}
}

func (w *Watcher) handleEvent(ev fsnotify.Event) {
	if ev.Op&relevantOps == 0 {
		return
	}
	path := filepath.Clean(ev.Name)
	isDir := false
	if ev.Has(fsnotify.Create) {
		if info, err := os.Stat(path); err == nil && info.IsDir() {
			isDir = true
			// A folder created or moved in: watch it and everything
			// already inside before anything else can be missed.
			w.addTree(path)
		}
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		if w.forget(path) {
			isDir = true
		}
	}
	for _, t := range w.targets {
		if !t.contains(path) {
			continue
		}
		if !t.wants(path, isDir) {
			t.logger.Debug("skipping event at indexer", zap.String("event", ev.String()))
			continue
		}
		t.logger.Debug("filesystem change detected", zap.String("event", ev.String()))
		t.trigger()
	}
}

// maxWatchDepth is how many folders below a package path are watched: a
// package is <name>/<version>/ and serves nothing deeper than
// loader.MaxPathDepth levels inside it, so deeper folders would only use
// up inotify watches (a hostile tree 3,000 levels deep took 3,000 of them,
// and the watch limit is per user, for every process).
const maxWatchDepth = 2 + loader.MaxPathDepth

// addTree watches dir and every folder below it, down to maxWatchDepth
// below its package path. It gives up at the first folder it cannot watch
// (usually the inotify watch limit, which would fail for every folder
// after it) and says so once.
func (w *Watcher) addTree(dir string) {
	if w.fsw == nil {
		return
	}
	root := w.rootOf(dir)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != dir && errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return &watchError{path: path, err: err}
		}
		if !d.IsDir() {
			return nil
		}
		if root != "" && depthBelow(root, path) > maxWatchDepth {
			return filepath.SkipDir
		}
		w.mu.Lock()
		_, watched := w.dirs[path]
		w.mu.Unlock()
		if watched {
			return nil
		}
		if err := w.fsw.Add(path); err != nil {
			return &watchError{path: path, err: err}
		}
		w.mu.Lock()
		w.dirs[path] = struct{}{}
		w.mu.Unlock()
		return nil
	})
	var we *watchError
	if errors.As(err, &we) {
		w.logger.Error("failed to watch path", zap.String("path", we.path), zap.Error(we.err))
	}
}

// rootOf is the package path that holds path (the longest that does), or
// "" when none does.
func (w *Watcher) rootOf(path string) string {
	best := ""
	for _, r := range w.roots() {
		if len(r) > len(best) && (path == r || strings.HasPrefix(path, r+string(filepath.Separator))) {
			best = r
		}
	}
	return best
}

// depthBelow counts the path elements of path below root.
func depthBelow(root, path string) int {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == "." {
		return 0
	}
	return strings.Count(rel, string(filepath.Separator)) + 1
}

type watchError struct {
	path string
	err  error
}

func (e *watchError) Error() string { return e.path + ": " + e.err.Error() }

// forget drops the watches of a removed or renamed folder and of the
// folders below it, and reports whether path was a watched folder. The
// kernel has usually dropped them already; removing them here keeps the
// bookkeeping right when it has not (a folder moved elsewhere keeps its
// watch under its old name).
func (w *Watcher) forget(path string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, wasDir := w.dirs[path]
	if !wasDir {
		return false
	}
	prefix := path + string(filepath.Separator)
	for d := range w.dirs {
		if d == path || strings.HasPrefix(d, prefix) {
			delete(w.dirs, d)
			_ = w.fsw.Remove(d) // already gone in the usual case
		}
	}
	return true
}

// watchMissingRoots starts watching roots that appeared after start-up (the
// poller calls it: without polling nobody would notice them).
func (w *Watcher) watchMissingRoots() {
	if w.fsw == nil {
		return
	}
	for _, root := range w.roots() {
		w.mu.Lock()
		_, watched := w.dirs[root]
		w.mu.Unlock()
		if watched {
			continue
		}
		if info, err := os.Stat(root); err == nil && info.IsDir() {
			w.logger.Debug("watching path for changes", zap.String("path", root))
			w.addTree(root)
		}
	}
}
