package app

import (
	"context"

	gcs "cloud.google.com/go/storage"
	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/server"
	"github.com/eprgo/package-registry/storage"
)

// storageSetup is what the remote package sources add to the registry.
type storageSetup struct {
	// Indexer is the storage or SQL storage indexer; nil when neither
	// feature is enabled.
	Indexer indexer.Indexer
	// SearchCache and CategoriesCache are the SQL indexer's response
	// caches; nil when disabled.
	SearchCache     server.ResponseCache
	CategoriesCache server.ResponseCache
	// Close releases what setup started (emulator, database files).
	Close func()
}

var _ server.ResponseCache = (*storage.ResponseCache)(nil)

// setupStorage builds the storage side of the registry from the config
// (docs/storage_indexers.md): the in-process emulator when
// EPR_EMULATOR_INDEX_PATH is set, the SQL indexer's response caches, and
// the storage or SQL storage indexer. useEmulator is false in dry-run mode
// (upstream quirk: EPR_EMULATOR_INDEX_PATH is ignored there). Its errors
// are *StartupError values with upstream's fatal messages; whatever was
// started is released before returning one. metrics receives the
// indexers' measurements (nil: metrics off); tracer records the index
// polls (nil: APM off).
func setupStorage(ctx context.Context, cfg *config.Config, logger *zap.Logger, useEmulator bool, metrics *storage.Metrics, tracer *apmlite.Tracer) (setup *storageSetup, err error) {
	flags := cfg.Flags
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	setup = &storageSetup{Close: closeAll}

	bucket := flags.StorageIndexerBucketInternal
	// The GCS client goes to STORAGE_EMULATOR_HOST when set, else to the
	// in-process emulator when one is started, else to Google.
	emulatorHost := cfg.Env.StorageEmulatorHost
	if indexPath := cfg.Env.EmulatorIndexPath; useEmulator && indexPath != "" {
		emulator, err := startEmulator(cfg, indexPath, logger)
		if err != nil {
			return nil, err
		}
		closers = append(closers, emulator.Stop)
		bucket = storage.EmulatorBucket
		if emulatorHost == "" {
			emulatorHost = emulator.URL()
		}
	}

	var searchCache, categoriesCache *storage.ResponseCache
	if flags.FeatureSQLStorageIndexer && flags.FeatureEnableSearchCache {
		searchCache = storage.NewResponseCache(cfg.File.SearchCacheSize, cfg.File.SearchCacheTTL, logger)
		setup.SearchCache = searchCache
	}
	if flags.FeatureSQLStorageIndexer && flags.FeatureEnableCategoriesCache {
		categoriesCache = storage.NewResponseCache(cfg.File.CategoriesCacheSize, cfg.File.CategoriesCacheTTL, logger)
		setup.CategoriesCache = categoriesCache
	}

	opts := storage.Options{
		Bucket:        bucket,
		Endpoint:      flags.StorageEndpoint,
		WatchInterval: flags.StorageIndexerWatchInterval,
		Logger:        logger,
		Metrics:       metrics,
		Tracer:        tracer,
	}
	clientOpts := storage.ClientOptions{EmulatorHost: emulatorHost, Logger: logger}
	switch {
	case flags.FeatureStorageIndexer:
		const failed = "failed to initialize storage indexer"
		client, err := newStorageClient(ctx, clientOpts, failed)
		if err != nil {
			return nil, err
		}
		closers = append(closers, func() { client.Close() })
		if flags.FeatureIncrementalUpdates {
			logger.Warn("Technical preview: Incremental updates feature is enabled.")
		}
		setup.Indexer = storage.NewIndexer(client, storage.IndexerOptions{
			Options:     opts,
			Incremental: flags.FeatureIncrementalUpdates,
		})
	case flags.FeatureSQLStorageIndexer:
		const failed = "failed to initialize SQL storage indexer"
		logger.Warn("Technical preview: SQL storage indexer is an experimental feature and it may be unstable.")
		client, err := newStorageClient(ctx, clientOpts, failed)
		if err != nil {
			return nil, err
		}
		closers = append(closers, func() { client.Close() })
		idx, err := storage.NewSQLIndexer(ctx, client, storage.SQLOptions{
			Options:         opts,
			DatabaseFolder:  cfg.File.SQLIndexerDatabaseFolderPath,
			ReadBatchSize:   cfg.Env.SQLReadBatchSize,
			InsertBatchSize: cfg.Env.SQLInsertBatchSize,
			AfterSwap:       storage.PurgeHook(logger, searchCache, categoriesCache),
		})
		if err != nil {
			return nil, failure(failed, err)
		}
		setup.Indexer = idx
	}
	return setup, nil
}

// startEmulator starts the in-process fake GCS server that serves the
// index file at indexPath (docs/storage_indexers.md, "Trying it locally").
// It listens on STORAGE_EMULATOR_HOST when that is set.
func startEmulator(cfg *config.Config, indexPath string, logger *zap.Logger) (*storage.Emulator, error) {
	flags := cfg.Flags
	if !flags.FeatureStorageIndexer && !flags.FeatureSQLStorageIndexer {
		return nil, failure("EPR_EMULATOR_INDEX_PATH environment variable is set, but feature-storage-indexer or feature-sql-storage-indexer are not enabled. Please enable one of them to use the fake GCS server.", nil)
	}
	if b := flags.StorageIndexerBucketInternal; b != "" && b != storage.EmulatorBucket {
		return nil, failure("EPR_EMULATOR_INDEX_PATH environment variable is set, but storage-indexer-bucket-internal is already set to a different value. Please remove the flag or set it to the fake GCS server bucket "+storage.EmulatorBucket, nil)
	}
	emulator, err := storage.StartEmulator(indexPath, cfg.Env.StorageEmulatorHost, logger)
	if err != nil {
		return nil, failure("failed to initialize fake GCS server", err)
	}
	logger.Info("Using fake storage server for indexer", zap.String("URL", emulator.URL()))
	return emulator, nil
}

func newStorageClient(ctx context.Context, opts storage.ClientOptions, failed string) (*gcs.Client, error) {
	client, err := storage.NewClient(ctx, opts)
	if err != nil {
		return nil, failure(failed, err)
	}
	return client, nil
}
