package indexer

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
)

// DefaultWatchDebounce is how long the watcher waits after the last change
// before it rescans: upstream's 1 s, long enough for a `mv` or a small copy
// to finish.
const DefaultWatchDebounce = time.Second

// Rescanner is a filesystem indexer the watcher can reload
// (*FileSystemIndexer).
type Rescanner interface {
	Name() string
	IsZip() bool
	Paths() []string
	// Rescan reloads every path and swaps the result in; on error the
	// previous index stays in service.
	Rescan(ctx context.Context) error
}

// WatchOptions configure the package-path watcher
// (-package-paths-enable-watcher).
type WatchOptions struct {
	// Debounce is the quiet time after the last change before a rescan;
	// DefaultWatchDebounce when zero.
	Debounce time.Duration
	// PollInterval, when > 0, also walks the package paths at this
	// interval and rescans an indexer whose files changed. It is the
	// fallback for file systems that deliver no inotify events (NFS, SMB,
	// FUSE, some container bind mounts), and it catches anything the
	// event watcher missed (for example after hitting the inotify watch
	// limit).
	PollInterval time.Duration
	// Logger may be nil.
	Logger *zap.Logger
	// OnUpdate, if set, runs after every successful rescan (main refreshes
	// the package-count gauge with it).
	OnUpdate func(Rescanner)
	// Tracer, when set (APM on), records each rescan as an
	// "updateFSIndex" transaction of type backend.watcher
	// (docs/operations.md).
	Tracer *apmlite.Tracer

	// pollOnly skips inotify (tests of the poller).
	pollOnly bool
}

// Watcher follows the package paths of filesystem indexers and rescans an
// indexer, in full, once its files have been quiet for the debounce time.
//
// Unlike upstream's watcher, which only sees entries directly inside each
// root, it watches the whole tree: a new version folder inside an existing
// package folder, a zip moved into a sub-folder, a signature added next to
// a zip or an edit inside a package are all noticed. One inotify watcher
// serves every indexer; events are routed by file kind (zip indexer: .zip
// and .zip.sig files; directory indexer: everything else; both: folders).
type Watcher struct {
	opts   WatchOptions
	logger *zap.Logger
	cancel context.CancelFunc
	wg     sync.WaitGroup

	targets []*watchTarget

	// fsw is nil when inotify is unavailable; polling may still run.
	fsw *fsnotify.Watcher
	// mu guards dirs, the folders currently watched: a removed or renamed
	// path is a folder if it is in there (it cannot be stat'ed any more).
	mu   sync.Mutex
	dirs map[string]struct{}
}

// watchTarget is one indexer and its debounce state.
type watchTarget struct {
	idx    Rescanner
	roots  []string
	logger *zap.Logger
	// kick wakes the debounce loop; one pending wake-up is enough.
	kick chan struct{}
	// fingerprint is the last view of the files the poller compares
	// with (poller only). Rescans update it too, so a change inotify
	// already reported does not cause a second rescan at the next poll.
	fingerprint atomic.Uint64
}

// StartWatcher starts watching the indexers' package paths. It never
// fails: problems are logged and the watcher does what it still can (a
// missing root is skipped, no inotify means polling only). Close stops it.
func StartWatcher(ctx context.Context, opts WatchOptions, indexers ...Rescanner) *Watcher {
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultWatchDebounce
	}
	logger := opts.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Watcher{opts: opts, logger: logger, cancel: cancel, dirs: make(map[string]struct{})}
	for _, idx := range indexers {
		t := &watchTarget{
			idx:    idx,
			logger: logger.With(zap.String("indexer", idx.Name())),
			kick:   make(chan struct{}, 1),
		}
		for _, p := range idx.Paths() {
			t.roots = append(t.roots, filepath.Clean(p))
		}
		w.targets = append(w.targets, t)
	}

	fsw, err := newFSNotify(opts)
	if err != nil {
		logger.Error("failed to create fsnotify watcher", zap.Error(err))
	} else if fsw != nil {
		w.fsw = fsw
		for _, root := range w.roots() {
			w.logger.Debug("watching path for changes", zap.String("path", root))
			w.addTree(root)
		}
		w.wg.Add(1)
		go w.eventLoop(ctx)
	}
	if opts.PollInterval > 0 {
		// The first fingerprint is taken now, not in the goroutine, so a
		// change made right after start-up is a change for the poller.
		for _, t := range w.targets {
			t.fingerprint.Store(t.snapshotFingerprint())
		}
		w.wg.Add(1)
		go w.pollLoop(ctx)
	}
	for _, t := range w.targets {
		w.wg.Add(1)
		go w.debounceLoop(ctx, t)
	}
	return w
}

// Close stops watching and waits for a rescan in progress to end.
func (w *Watcher) Close() error {
	w.logger.Info("stopping filesystem watcher")
	w.cancel()
	var err error
	if w.fsw != nil {
		err = w.fsw.Close()
	}
	w.wg.Wait()
	return err
}

func newFSNotify(opts WatchOptions) (*fsnotify.Watcher, error) {
	if opts.pollOnly {
		return nil, nil
	}
	return fsnotify.NewWatcher()
}

// roots are the distinct roots of all indexers, in configuration order.
func (w *Watcher) roots() []string {
	var out []string
	seen := make(map[string]bool)
	for _, t := range w.targets {
		for _, r := range t.roots {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// maxDebounces bounds how long changes can postpone a rescan: at most
// this many debounce times after the first change of a burst. Without it,
// a folder that changes at least once per debounce time (a sync job, a
// busy CI publishing packages) would never be rescanned at all.
const maxDebounces = 5

// debounceLoop rescans t once no kick has arrived for the debounce time,
// or once changes have kept coming for maxDebounces debounce times.
// Kicks arriving during a rescan arm the timer again, so a change made
// while a rescan reads the files is never lost.
func (w *Watcher) debounceLoop(ctx context.Context, t *watchTarget) {
	defer w.wg.Done()
	timer := time.NewTimer(w.opts.Debounce)
	timer.Stop()
	var deadline time.Time // of the pending burst; zero when none
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-t.kick:
			now := time.Now()
			if deadline.IsZero() {
				deadline = now.Add(maxDebounces * w.opts.Debounce)
			}
			timer.Reset(max(min(w.opts.Debounce, deadline.Sub(now)), 0))
		case <-timer.C:
			deadline = time.Time{}
			w.rescan(ctx, t)
		}
	}
}

func (w *Watcher) rescan(ctx context.Context, t *watchTarget) {
	if w.opts.PollInterval > 0 {
		// Taken before reading: a change made during the rescan differs
		// from it and is picked up at the next poll. A failed rescan is
		// not retried by the poller either, only by the next change.
		t.fingerprint.Store(t.snapshotFingerprint())
	}
	tx := w.opts.Tracer.StartTransaction("updateFSIndex", apmlite.TypeBackendWatch)
	defer tx.End()
	ctx = apmlite.ContextWithTransaction(ctx, tx)
	if err := t.idx.Rescan(ctx); err != nil {
		tx.SetOutcome(apmlite.OutcomeFailure)
		if ctx.Err() != nil {
			return // shutting down
		}
		// The indexer keeps its previous index; the next change retries.
		t.logger.Error("updating package filesystem index failed", append(apmlite.TraceFields(ctx), zap.Error(err))...)
		return
	}
	tx.SetOutcome(apmlite.OutcomeSuccess)
	t.logger.Info("package filesystem index updated")
	if w.opts.OnUpdate != nil {
		w.opts.OnUpdate(t.idx)
	}
}

func (t *watchTarget) trigger() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// contains tells whether path is one of t's roots or below one.
func (t *watchTarget) contains(path string) bool {
	for _, r := range t.roots {
		if path == r || strings.HasPrefix(path, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// wants tells whether a change of path matters to t. Folders matter to
// both kinds: a folder moved in or out may hold zips as well as package
// directories.
func (t *watchTarget) wants(path string, isDir bool) bool {
	if isDir {
		return true
	}
	return isZipFileName(path) == t.idx.IsZip()
}

// isZipFileName is true for package archives and their signatures, which
// belong to the zip indexer (upstream sends .zip.sig to the directory
// indexer, so a signature added after its zip goes unnoticed there).
func isZipFileName(path string) bool {
	return strings.HasSuffix(path, ".zip") || strings.HasSuffix(path, ".zip.sig")
}
