package app

import (
	"context"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/indexer"
)

// startWatcher starts the package-path watcher when
// -package-paths-enable-watcher is set (docs/operations.md, "Watching the
// package folders"; unlike upstream's it is recursive and can poll). It
// returns nil otherwise.
func startWatcher(ctx context.Context, cfg *config.Config, logger *zap.Logger, reg *registry) *indexer.Watcher {
	enabled := cfg.Flags.PackagePathsEnableWatcher
	logger.Debug("Watching package paths for changes", zap.Bool("enabled", enabled))
	if !enabled {
		if cfg.Flags.PackagePathsPollInterval > 0 {
			logger.Warn("-package-paths-poll-interval has no effect without -package-paths-enable-watcher")
		}
		return nil
	}
	var targets []indexer.Rescanner
	for _, fsi := range reg.fsIndexers {
		targets = append(targets, fsi)
	}
	return indexer.StartWatcher(ctx, indexer.WatchOptions{
		PollInterval: cfg.Flags.PackagePathsPollInterval,
		Logger:       logger,
		Tracer:       reg.tracer,
		// Upstream leaves epr_number_indexed_packages at its start-up
		// value after a reload; here it follows the packages actually
		// served.
		OnUpdate: func(indexer.Rescanner) {
			if reg.metrics == nil {
				return
			}
			if pkgs, err := reg.indexer.Get(ctx, &indexer.GetOptions{}); err == nil {
				reg.metrics.SetIndexedPackages(len(pkgs))
			}
		},
	}, targets...)
}
