package main

import (
	"context"
	"os"

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
// (operations.md §1.1 steps 12–13, §8.4–§8.7). useEmulator is false in
// dry-run mode (upstream quirk: EPR_EMULATOR_INDEX_PATH is ignored there).
// Its errors are *startupFailure values carrying the fatal messages of
// operations.md §1.2; whatever was started is released before returning
// one. metrics receives the indexers' measurements (nil: metrics off);
// tracer records the index polls (nil: APM off).
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
	if indexPath := os.Getenv(storage.EmulatorIndexPathEnv); useEmulator && indexPath != "" {
		emulator, err := startEmulator(flags, indexPath, logger)
		if err != nil {
			return nil, err
		}
		closers = append(closers, emulator.Stop)
		bucket = storage.EmulatorBucket
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
	switch {
	case flags.FeatureStorageIndexer:
		client, err := newStorageClient(ctx, logger, "failed to initialize storage indexer")
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
		logger.Warn("Technical preview: SQL storage indexer is an experimental feature and it may be unstable.")
		client, err := newStorageClient(ctx, logger, "failed to initialize SQL storage indexer")
		if err != nil {
			return nil, err
		}
		closers = append(closers, func() { client.Close() })
		idx, err := storage.NewSQLIndexer(ctx, client, storage.SQLOptions{
			Options:        opts,
			DatabaseFolder: cfg.File.SQLIndexerDatabaseFolderPath,
			AfterSwap:      storage.PurgeHook(logger, searchCache, categoriesCache),
		})
		if err != nil {
			return nil, &startupFailure{Message: "failed to initialize SQL storage indexer", Err: err}
		}
		setup.Indexer = idx
	}
	return setup, nil
}

// startEmulator starts the in-process fake GCS server of operations.md §8.7
// and points the GCS client at it.
func startEmulator(flags config.Flags, indexPath string, logger *zap.Logger) (*storage.Emulator, error) {
	if !flags.FeatureStorageIndexer && !flags.FeatureSQLStorageIndexer {
		return nil, &startupFailure{Message: "EPR_EMULATOR_INDEX_PATH environment variable is set, but feature-storage-indexer or feature-sql-storage-indexer are not enabled. Please enable one of them to use the fake GCS server."}
	}
	if b := flags.StorageIndexerBucketInternal; b != "" && b != storage.EmulatorBucket {
		return nil, &startupFailure{Message: "EPR_EMULATOR_INDEX_PATH environment variable is set, but storage-indexer-bucket-internal is already set to a different value. Please remove the flag or set it to the fake GCS server bucket " + storage.EmulatorBucket}
	}
	host := os.Getenv(storage.EmulatorHostEnv)
	emulator, err := storage.StartEmulator(indexPath, host, logger)
	if err != nil {
		return nil, &startupFailure{Message: "failed to initialize fake GCS server", Err: err}
	}
	if host == "" {
		// The GCS client finds the emulator through this variable.
		if err := os.Setenv(storage.EmulatorHostEnv, emulator.URL()); err != nil {
			emulator.Stop()
			return nil, &startupFailure{Message: "failed to initialize fake GCS server", Err: err}
		}
	}
	logger.Info("Using fake storage server for indexer", zap.String("URL", emulator.URL()))
	return emulator, nil
}

func newStorageClient(ctx context.Context, logger *zap.Logger, failure string) (*gcs.Client, error) {
	client, err := storage.NewClient(ctx, logger)
	if err != nil {
		return nil, &startupFailure{Message: failure, Err: err}
	}
	return client, nil
}
