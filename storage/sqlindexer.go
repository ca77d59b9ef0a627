package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	gcs "cloud.google.com/go/storage"
	"go.uber.org/zap"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// Database file names in the configured folder, the same as upstream's
// (docs/storage_indexers.md).
const (
	SQLDatabaseFile     = "storage_packages.db"
	SQLSwapDatabaseFile = "storage_packages_swap.db"
)

// Batch sizes and the variables that override them
// (docs/storage_indexers.md).
const (
	ReadBatchSizeEnv       = "EPR_SQL_INDEXER_READ_PACKAGES_BATCH_SIZE"
	InsertBatchSizeEnv     = "EPR_SQL_INDEXER_DB_INSERT_BATCH_SIZE"
	defaultReadBatchSize   = 2000
	defaultInsertBatchSize = 500
)

// initialSQLCursor is the cursor before the first load; it is what the
// first "cursor will be updated" line reports as current.
const initialSQLCursor = "init"

// SQLOptions configure the SQL storage indexer.
type SQLOptions struct {
	Options
	// DatabaseFolder is sql_indexer.database_folder_path.
	DatabaseFolder string
	// ReadBatchSize and InsertBatchSize are the values of
	// EPR_SQL_INDEXER_READ_PACKAGES_BATCH_SIZE and
	// EPR_SQL_INDEXER_DB_INSERT_BATCH_SIZE as read by the configuration;
	// "" (or a value <= 0) means the default. A malformed value fails
	// NewSQLIndexer, as upstream fails its start-up.
	ReadBatchSize   string
	InsertBatchSize string
	// AfterSwap runs under the write lock right after a new index became
	// current (the response caches are purged there).
	AfterSwap func()
}

// SQLIndexer is the SQL storage indexer (-feature-sql-storage-indexer,
// docs/storage_indexers.md): the index lives in one of two SQLite files, the
// next one is loaded into the other file and the two swap roles.
type SQLIndexer struct {
	client      *gcs.Client
	opts        SQLOptions
	logger      *zap.Logger
	metrics     *Metrics
	readBatch   int
	insertBatch int

	// Set by Init.
	bucket   *bucket
	resolver *Resolver
	watcher  *watcher

	// updateMu serialises updates: only the updater writes to the backup
	// database.
	updateMu sync.Mutex

	// mu guards the fields below: readers hold it while they query the
	// current database, the swap holds it for writing.
	mu           sync.RWMutex
	cursor       string
	current      *sqlDB
	backup       *sqlDB
	deprecations map[string]*packages.Deprecated
}

var _ indexer.Indexer = (*SQLIndexer)(nil)

// NewSQLIndexer deletes any previous database files in the folder and
// creates both databases empty.
func NewSQLIndexer(ctx context.Context, client *gcs.Client, opts SQLOptions) (*SQLIndexer, error) {
	readBatch, err := batchSize(opts.ReadBatchSize, ReadBatchSizeEnv, defaultReadBatchSize)
	if err != nil {
		return nil, err
	}
	s := &SQLIndexer{
		client:       client,
		opts:         opts,
		logger:       opts.logger(),
		metrics:      opts.Metrics,
		readBatch:    readBatch,
		cursor:       initialSQLCursor,
		deprecations: make(map[string]*packages.Deprecated),
	}
	if err := s.initDatabases(ctx); err != nil {
		return nil, fmt.Errorf("failed to initialize storage database: %w", err)
	}
	return s, nil
}

func (s *SQLIndexer) initDatabases(ctx context.Context) error {
	start := time.Now()
	insertBatch, err := batchSize(s.opts.InsertBatchSize, InsertBatchSizeEnv, defaultInsertBatchSize)
	if err != nil {
		return err
	}
	s.insertBatch = insertBatch
	d, err := newSQLDriver()
	if err != nil {
		return err
	}
	for _, target := range []struct {
		db   **sqlDB
		file string
	}{{&s.current, SQLDatabaseFile}, {&s.backup, SQLSwapDatabaseFile}} {
		path := filepath.Join(s.opts.DatabaseFolder, target.file)
		s.logger.Debug("Creating database", zap.String("path", path))
		db, err := createSQLDB(ctx, d, path)
		if err != nil {
			s.closeDatabases()
			return err
		}
		*target.db = db
		s.logger.Debug("Database created successfully", zap.String("path", path))
	}
	s.logger.Info("Elapsed time to init database", zap.Duration("duration", time.Since(start)))
	return nil
}

// batchSize reads a batch-size variable: used only when non-empty, an
// integer, and the default when ≤ 0.
func batchSize(v, name string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("failed to parse %s environment variable: %w", name, err)
	}
	if n <= 0 {
		return def, nil
	}
	return n, nil
}

// Init validates the options, loads the current index synchronously and
// starts the watcher.
func (s *SQLIndexer) Init(ctx context.Context) error {
	s.logger.Debug("Initialize storage indexer")
	v, err := s.opts.validate()
	if err != nil {
		return err
	}
	s.bucket = &bucket{client: s.client, loc: v.loc}
	s.resolver = NewResolver(v.endpoint, s.opts.Resolver, s.logger, s.metrics)
	if err := s.update(ctx); err != nil {
		return fmt.Errorf("can't update index file: %w", err)
	}
	s.watcher = startWatcher(s.opts.WatchInterval, s.logger, s.opts.Tracer, s.update)
	return nil
}

// Get reads the packages that can pass the filter from the current
// database and runs the shared filter pipeline on them, so the answer is
// the in-memory indexer's: the two indexers must never answer differently.
func (s *SQLIndexer) Get(ctx context.Context, opts *indexer.GetOptions) (packages.Packages, error) {
	defer s.metrics.getDuration("SQLStorageIndexer", time.Now())
	var f *packages.Filter
	skipData := false
	if opts != nil {
		f = opts.Filter
		skipData = opts.SkipPackageData && !filterNeedsData(f)
	}
	pkgs, err := s.read(ctx, f, !skipData)
	if err != nil {
		return nil, err
	}
	s.logger.Debug("Number of packages read from database", zap.Int("num.packages", len(pkgs)))
	if f == nil {
		return pkgs, nil
	}
	return f.Apply(ctx, pkgs)
}

func (s *SQLIndexer) read(ctx context.Context, f *packages.Filter, withData bool) (packages.Packages, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pkgs, err := s.current.read(ctx, s.cursor, f, withData, s.resolver)
	if err != nil {
		return nil, err
	}
	for _, p := range pkgs {
		if d, ok := s.deprecations[p.Name]; ok {
			p.Deprecated = d
		}
	}
	return pkgs, nil
}

// filterNeedsData tells whether the filter looks at more than name,
// version, type, release and the Kibana condition, which are all a
// package read without its document carries (or were checked in SQL).
func filterNeedsData(f *packages.Filter) bool {
	if f == nil {
		return false
	}
	if f.Category != "" {
		return true
	}
	if f.Experimental {
		return false
	}
	return f.AgentVersion != nil || f.Capabilities != nil || len(f.Discovery) > 0 || f.SpecMin != nil || f.SpecMax != nil
}

// Close stops the watcher and closes both databases. The files stay.
func (s *SQLIndexer) Close(ctx context.Context) error {
	s.watcher.stop()
	s.updateMu.Lock()
	defer s.updateMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeDatabases()
}

func (s *SQLIndexer) closeDatabases() error {
	var errs []error
	for _, db := range []*sqlDB{s.current, s.backup} {
		if db != nil {
			errs = append(errs, db.close())
		}
	}
	return errors.Join(errs...)
}

// update runs one update cycle: read the cursor, and when it moved load
// the whole index into the backup database and swap.
func (s *SQLIndexer) update(ctx context.Context) error {
	s.updateMu.Lock()
	defer s.updateMu.Unlock()
	defer s.metrics.updateDuration(time.Now())

	s.logger.Debug("load cursor file")
	c, err := s.bucket.readCursor(ctx)
	if err != nil {
		s.metrics.updateFailed()
		return fmt.Errorf("can't load latest cursor: %w", err)
	}
	s.logger.Debug("loaded cursor file", zap.String("cursor", cursorJSON(c)))
	if c.Current == s.cursor {
		s.logger.Info("cursor is up-to-date", zap.String("cursor.current", s.cursor))
		return nil
	}
	s.logger.Info("cursor will be updated", zap.String("cursor.current", s.cursor), zap.String("cursor.next", c.Current))

	loaded, err := s.load(ctx, c.Current)
	if err != nil {
		s.metrics.updateFailed()
		return fmt.Errorf("can't load the search-index-all index content: %w", err)
	}
	s.swap(c.Current, loaded)
	return nil
}

// loadResult is what a load hands to the swap.
type loadResult struct {
	count int
	// deprecated holds, for every package that declares a deprecation,
	// what the deprecation memory needs (name, version, notice).
	deprecated packages.Packages
}

// load writes the index of cursor into the backup database. The backup is
// cleaned first, so that a load that failed part-way never blocks the next
// attempt (upstream keeps the partial rows and fails forever).
func (s *SQLIndexer) load(ctx context.Context, cursor string) (*loadResult, error) {
	if err := s.backup.reset(ctx); err != nil {
		return nil, fmt.Errorf("failed to clean backup database: %w", err)
	}
	name := s.bucket.loc.indexObject(cursor)
	s.logger.Debug("load search-index-all index", zap.String("index.file", name))
	r, err := s.bucket.open(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("can't load the search-index-all index content: %w", err)
	}
	defer r.Close()

	res := &loadResult{}
	batch := make([]row, 0, s.readBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		start := time.Now()
		if err := s.backup.insert(ctx, cursor, batch, s.insertBatch); err != nil {
			return err
		}
		elapsed := time.Since(start)
		s.logger.Debug("Filled database with a batch of packages",
			zap.Int64("elapsed.time", elapsed.Nanoseconds()),
			zap.String("elapsed.time.human", elapsed.String()),
			zap.Int("num.packages", len(batch)))
		batch = batch[:0]
		return nil
	}
	err = streamIndex(r, s.resolver, func(e decodedEntry) error {
		batch = append(batch, row{ord: res.count, pkg: e.pkg, raw: e.raw})
		res.count++
		if e.pkg.Deprecated != nil {
			res.deprecated = append(res.deprecated, &packages.Package{
				Name: e.pkg.Name, Version: e.pkg.Version, Deprecated: e.pkg.Deprecated,
				Runtime: packages.Runtime{SemVer: e.pkg.SemVer},
			})
		}
		if len(batch) >= s.readBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return nil, fmt.Errorf("can't load the search-index-all index content: %w", err)
	}
	return res, nil
}

// swap makes the freshly loaded backup current, then cleans the old one.
func (s *SQLIndexer) swap(cursor string, loaded *loadResult) {
	start := time.Now()
	s.mu.Lock()
	s.cursor = cursor
	s.current, s.backup = s.backup, s.current
	// Feeding only the deprecated packages updates the memory exactly as
	// the whole index would; reads apply the memory to every version.
	packages.PropagateDeprecations(loaded.deprecated, s.deprecations)
	s.logger.Debug("Current database changed",
		zap.String("current.database.path", s.current.path),
		zap.String("previous.database.path", s.backup.path))
	if s.opts.AfterSwap != nil {
		s.logger.Debug("Running after update index hook")
		s.opts.AfterSwap()
	}
	s.mu.Unlock()
	s.logger.Debug("Elapsed time in lock for updating index database", zap.Duration("lock.duration", time.Since(start)))
	s.metrics.updateSucceeded()
	s.metrics.indexedPackages(loaded.count)

	if err := s.backup.reset(context.Background()); err != nil {
		s.logger.Error("Failed to clean backup database", zap.Error(err))
		return
	}
	s.logger.Debug("Cleaned backup database")
}
