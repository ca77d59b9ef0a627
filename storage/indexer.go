package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	gcs "cloud.google.com/go/storage"
	"go.uber.org/zap"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// IndexerOptions configure the in-memory storage indexer.
type IndexerOptions struct {
	Options
	// Incremental is -feature-incremental-updates: apply
	// search-index-delta.json files instead of reloading the full index.
	Incremental bool
}

// Indexer is the in-memory storage indexer (-feature-storage-indexer,
// docs/storage_indexers.md).
type Indexer struct {
	client  *gcs.Client
	opts    IndexerOptions
	logger  *zap.Logger
	metrics *Metrics

	// Set by Init.
	bucket   *bucket
	resolver *Resolver
	watcher  *watcher

	// updateMu serialises updates; cursor and deprecations belong to the
	// updater.
	updateMu     sync.Mutex
	cursor       string
	deprecations map[string]*packages.Deprecated

	// mu guards pkgs, which is replaced as a whole on every update and
	// never modified in place, so a request sees either the old or the new
	// index.
	mu   sync.RWMutex
	pkgs packages.Packages
}

var _ indexer.Indexer = (*Indexer)(nil)

// NewIndexer returns an indexer reading the bucket through client. Nothing
// is read before Init.
func NewIndexer(client *gcs.Client, opts IndexerOptions) *Indexer {
	return &Indexer{
		client:       client,
		opts:         opts,
		logger:       opts.logger(),
		metrics:      opts.Metrics,
		deprecations: make(map[string]*packages.Deprecated),
	}
}

// Init validates the options, loads the current index synchronously and
// starts the watcher.
func (i *Indexer) Init(ctx context.Context) error {
	i.logger.Debug("Initialize storage indexer")
	v, err := i.opts.validate()
	if err != nil {
		return err
	}
	i.bucket = &bucket{client: i.client, loc: v.loc}
	i.resolver = NewResolver(v.endpoint, i.opts.Resolver, i.logger, i.metrics)
	if err := i.update(ctx); err != nil {
		return fmt.Errorf("can't update index file: %w", err)
	}
	i.watcher = startWatcher(i.opts.WatchInterval, i.logger, i.opts.Tracer, i.update)
	return nil
}

// Get returns the packages of the current index: all of them without a
// filter, else what the shared filter pipeline keeps. FullData and
// SkipPackageData make no difference here.
func (i *Indexer) Get(ctx context.Context, opts *indexer.GetOptions) (packages.Packages, error) {
	defer i.metrics.getDuration("StorageIndexer", time.Now())
	i.mu.RLock()
	pkgs := i.pkgs
	i.mu.RUnlock()
	if opts == nil || opts.Filter == nil {
		// A copy, so that callers may sort what they get.
		return append(packages.Packages(nil), pkgs...), nil
	}
	return opts.Filter.Apply(ctx, pkgs)
}

// Close stops the watcher.
func (i *Indexer) Close(ctx context.Context) error {
	i.watcher.stop()
	return nil
}

// update runs one update cycle: read the cursor and, when it moved, apply
// the revisions since the last one (docs/storage_indexers.md, "Updates").
func (i *Indexer) update(ctx context.Context) error {
	i.updateMu.Lock()
	defer i.updateMu.Unlock()
	defer i.metrics.updateDuration(time.Now())
	i.logger.Debug("Update indices")

	next, err := i.loadCursor(ctx)
	if err != nil {
		i.metrics.updateFailed()
		return err
	}
	if next == i.cursor {
		return nil
	}
	if i.opts.Incremental && i.cursor != "" {
		return i.incrementalSync(ctx, next)
	}
	return i.fullSync(ctx, next)
}

func (i *Indexer) loadCursor(ctx context.Context) (string, error) {
	i.logger.Debug("load cursor file")
	c, err := i.bucket.readCursor(ctx)
	if err != nil {
		return "", fmt.Errorf("can't load latest cursor: %w", err)
	}
	i.logger.Debug("loaded cursor file", zap.String("cursor", cursorJSON(c)))
	return c.Current, nil
}

func (i *Indexer) fullSync(ctx context.Context, next string) error {
	pkgs, err := i.loadFullIndex(ctx, next)
	if err != nil {
		i.metrics.updateFailed()
		return err
	}
	packages.PropagateDeprecations(pkgs, i.deprecations)
	i.publish(pkgs, next)
	i.logger.Info("Downloaded new search-index-all index", zap.String("index.packages.size", strconv.Itoa(len(pkgs))))
	return nil
}

func (i *Indexer) loadFullIndex(ctx context.Context, rev string) (packages.Packages, error) {
	name := i.bucket.loc.indexObject(rev)
	i.logger.Debug("load search-index-all index", zap.String("index.file", name))
	r, err := i.bucket.open(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("can't load the search-index-all index content: %w", err)
	}
	defer r.Close()
	pkgs, err := readIndex(r, i.resolver)
	if err != nil {
		return nil, fmt.Errorf("can't load the search-index-all index content: %w", err)
	}
	return pkgs, nil
}

func (i *Indexer) loadDelta(ctx context.Context, rev string) (*delta, error) {
	name := i.bucket.loc.deltaObject(rev)
	i.logger.Debug("load search-index-delta", zap.String("delta.file", name))
	r, err := i.bucket.open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return readDelta(r, i.resolver)
}

// revision is one step of an incremental cycle: a delta, or a full index
// when the delta could not be used.
type revision struct {
	cursor string
	full   packages.Packages
	delta  *delta
}

// incrementalSync applies, in order, every revision after the current
// cursor up to next. Nothing is applied unless every revision could be
// read, so a half-published revision never leaves a half-applied index.
func (i *Indexer) incrementalSync(ctx context.Context, next string) error {
	revs, err := i.bucket.revisionsAfter(ctx, i.cursor, next)
	if err != nil {
		i.metrics.updateFailed()
		return err
	}
	if len(revs) == 0 {
		return nil
	}
	var steps []revision
	for _, rev := range revs {
		d, err := i.loadDelta(ctx, rev)
		if err == nil {
			steps = append(steps, revision{cursor: rev, delta: d})
			continue
		}
		i.logger.Warn("failed to load delta, falling back to full sync for timestamp", zap.String("cursor", rev), zap.Error(err))
		full, err := i.loadFullIndex(ctx, rev)
		if err != nil {
			i.metrics.updateFailed()
			return err
		}
		// A full index makes the earlier revisions of this cycle moot.
		steps = []revision{{cursor: rev, full: full}}
	}

	i.mu.RLock()
	pkgs := i.pkgs
	i.mu.RUnlock()
	for _, s := range steps {
		if s.full != nil {
			pkgs = s.full
			continue
		}
		pkgs = s.delta.apply(pkgs, i.logger)
		i.logger.Debug("applied delta", zap.String("cursor", s.cursor), zap.String("index.packages.size", strconv.Itoa(len(pkgs))))
	}
	packages.PropagateDeprecations(pkgs, i.deprecations)
	i.publish(pkgs, steps[len(steps)-1].cursor)
	return nil
}

// publish swaps the new index in and reports it.
func (i *Indexer) publish(pkgs packages.Packages, cursor string) {
	i.mu.Lock()
	i.pkgs = pkgs
	i.mu.Unlock()
	i.cursor = cursor
	i.metrics.updateSucceeded()
	i.metrics.indexedPackages(len(pkgs))
}

func cursorJSON(c *cursor) string {
	b, _ := json.Marshal(c)
	return string(b)
}
