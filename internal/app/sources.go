package app

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/metrics"
	"github.com/eprgo/package-registry/storage"
)

// registry is the loaded package sources.
type registry struct {
	indexer indexer.Indexer
	storage *storageSetup
	// fsIndexers are the zip and directory indexers (the watcher reloads
	// them); metrics is nil unless -metrics-address is set; watcher is nil
	// unless -package-paths-enable-watcher is set.
	fsIndexers []*indexer.FileSystemIndexer
	metrics    *metrics.Metrics
	watcher    *indexer.Watcher
	// tracer is nil unless APM is on (ELASTIC_APM_SERVER_URL).
	tracer *apmlite.Tracer
}

func (r *registry) close(logger *zap.Logger) {
	if r.watcher != nil {
		_ = r.watcher.Close()
	}
	if err := r.indexer.Close(context.Background()); err != nil {
		logger.Error("closing indexers failed", zap.Error(err))
	}
	if r.storage != nil && r.storage.Close != nil {
		r.storage.Close()
	}
}

// loadPackages builds the combined indexer, loads it and checks that
// there are packages to serve. Sources are combined in upstream's
// precedence order: storage, then zip, then directory packages (the first
// source holding a version wins). useEmulator is false in dry-run mode.
// With APM on, loading is the "initIndexer" transaction, as upstream's.
func loadPackages(ctx context.Context, cfg *config.Config, logger *zap.Logger, tracer *apmlite.Tracer, useEmulator bool) (*registry, error) {
	tx := tracer.StartTransaction("initIndexer", apmlite.TypeBackendInit)
	defer tx.End()
	ctx = apmlite.ContextWithTransaction(ctx, tx)
	tx.SetOutcome(apmlite.OutcomeFailure) // until everything is loaded

	m := newMetrics(cfg)
	storage, err := setupStorage(ctx, cfg, logger, useEmulator, storageMetrics(m), tracer)
	if err != nil {
		return nil, err
	}
	fsOptions := indexer.FSOptions{
		Paths:             cfg.File.PackagePaths,
		Workers:           cfg.Flags.PackagePathsWorkers,
		RequireSignatures: cfg.Flags.RequirePackageSignatures,
		DisableValidation: cfg.Flags.DisablePackageValidation,
		EnableWatcher:     cfg.Flags.PackagePathsEnableWatcher,
		Logger:            logger,
	}
	zips, dirs := indexer.NewZipFileSystemIndexer(fsOptions), indexer.NewFileSystemIndexer(fsOptions)
	// At start the zip walk takes the directory packages' listings instead
	// of walking them again (indexer/ziphints.go).
	zips.UseZipHintsFrom(dirs)
	reg := &registry{
		indexer: indexer.NewCombined(
			storage.Indexer,
			m.InstrumentIndexer(zips.Name(), zips),
			m.InstrumentIndexer(dirs.Name(), dirs),
		),
		storage:    storage,
		fsIndexers: []*indexer.FileSystemIndexer{zips, dirs},
		metrics:    m,
		tracer:     tracer,
	}
	if err := reg.indexer.Init(ctx); err != nil {
		reg.close(logger)
		return nil, failure("Init failed", err)
	}
	if err := checkPackagesAvailable(ctx, cfg, logger, reg.indexer, m); err != nil {
		reg.close(logger)
		return nil, err
	}
	tx.SetOutcome(apmlite.OutcomeSuccess)
	return reg, nil
}

// checkPackagesAvailable counts the packages of every source. Having none
// is fatal, except in proxy mode (the remote has some) and with the
// watcher (they may come later).
func checkPackagesAvailable(ctx context.Context, cfg *config.Config, logger *zap.Logger, idx indexer.Indexer, m *metrics.Metrics) error {
	pkgs, err := idx.Get(ctx, &indexer.GetOptions{})
	if err != nil {
		return failure("Init failed", err)
	}
	m.SetIndexedPackages(len(pkgs))
	switch {
	case len(pkgs) > 0:
		// "local" even when the packages come from remote storage, as
		// upstream says.
		logger.Info(fmt.Sprintf("%d local package manifests loaded.", len(pkgs)))
	case cfg.Flags.FeatureProxyMode:
		logger.Info("No local packages found, but the proxy mode can access remote ones.")
	case cfg.Flags.PackagePathsEnableWatcher:
		logger.Warn("No packages found at startup. The registry is running but no content is available yet.")
	default:
		return failure("No local packages found.", nil)
	}
	return nil
}

// newMetrics creates the Prometheus metrics when -metrics-address is set.
// Otherwise it returns nil, which every metrics hook treats as "off":
// nothing is registered and no request is instrumented.
func newMetrics(cfg *config.Config) *metrics.Metrics {
	if cfg.Flags.MetricsAddress == "" {
		return nil
	}
	return metrics.New()
}

// storageMetrics connects the storage indexers' hooks to the metrics.
func storageMetrics(m *metrics.Metrics) *storage.Metrics {
	if m == nil {
		return nil
	}
	return &storage.Metrics{
		UpdateSucceeded: m.StorageUpdateSucceeded,
		UpdateFailed:    m.StorageUpdateFailed,
		UpdateDuration:  m.ObserveStorageUpdate,
		IndexedPackages: m.SetIndexedPackages,
		GetDuration:     m.ObserveIndexerGet,
		RemoteRequest:   m.CountRemoteStorageRequest,
	}
}
