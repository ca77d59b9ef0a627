package app

import (
	"context"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/server"
)

// shutdownTimeout bounds the graceful shutdown. Upstream waits for
// in-flight requests without any limit, so one stuck download can keep a
// stopping registry alive forever; after this long the remaining
// connections are closed and the shutdown is reported as failed.
const shutdownTimeout = 30 * time.Second

// serve starts the profiler, loads the package sources, starts the main
// and metrics listeners, then waits for a shutdown signal.
func serve(ctx context.Context, cfg *config.Config, logger *zap.Logger, tracer *apmlite.Tracer, out io.Writer) error {
	// Go's server-internal errors (TLS handshakes, ...) stay unstructured
	// standard-logger lines, as upstream's.
	ls := newListeners(log.New(out, "", log.LstdFlags))
	// Fatal paths stop what was started: upstream just exits, but in
	// process (tests) the ports must be released.
	defer ls.close()

	if addr := cfg.Flags.HTTPProfAddress; addr != "" {
		logger.Info("Starting http pprof in " + addr)
		if err := ls.startProfiler(addr); err != nil {
			return fatal(logger, err)
		}
	}

	reg, err := loadPackages(ctx, cfg, logger, tracer, true)
	if err != nil {
		return fatal(logger, err)
	}
	reg.watcher = startWatcher(ctx, cfg, logger, reg)
	err = serveRegistry(ctx, cfg, logger, reg, ls)
	ls.close()
	// Fatal paths close the sources too: upstream just exits, but closing
	// releases the SQL indexer's files and the emulator cleanly.
	reg.close(logger)
	if err != nil {
		return err
	}
	logger.Info("Package registry stopped")
	return nil
}

// serveRegistry builds the router on loaded package sources, starts the
// main and metrics listeners and waits for the end.
func serveRegistry(ctx context.Context, cfg *config.Config, logger *zap.Logger, reg *registry, ls *listeners) error {
	handler, err := newRouter(cfg, logger, reg)
	if err != nil {
		return fatal(logger, err)
	}
	if err := startMainServer(cfg, handler, ls); err != nil {
		return fatal(logger, err)
	}
	if addr := cfg.Flags.MetricsAddress; addr != "" && reg.metrics != nil {
		logger.Info("Starting http metrics in " + addr)
		reg.metrics.SetServiceInfo(config.Version, hostname())
		// Plain HTTP, exactly /metrics, no middleware.
		if err := ls.startMetrics(addr, reg.metrics.Handler()); err != nil {
			return fatal(logger, err)
		}
	}
	return waitAndShutdown(ctx, logger, ls)
}

// newRouter builds the API handler. The cache-time check comes first so
// that its error names the same handler upstream's would.
func newRouter(cfg *config.Config, logger *zap.Logger, reg *registry) (http.Handler, error) {
	const routerFailure = "failed go configure router" // sic, upstream's text
	if err := cfg.File.CacheTimeError(); err != nil {
		return nil, failure(routerFailure, err)
	}
	proxy, err := setupProxy(cfg, logger)
	if err != nil {
		return nil, err
	}
	handler, err := server.NewRouter(server.Options{
		Indexer:                     reg.indexer,
		Logger:                      logger,
		CacheTimeIndex:              cfg.File.CacheTimeIndex,
		CacheTimeSearch:             cfg.File.CacheTimeSearch,
		CacheTimeCategories:         cfg.File.CacheTimeCategories,
		CacheTimeCatchAll:           cfg.File.CacheTimeCatchAll,
		AllowUnknownQueryParameters: cfg.Flags.AllowUnknownQueryParameters,
		ServiceName:                 cfg.Env.ServiceName,
		ServiceVersion:              config.Version,
		Proxy:                       proxy,
		SearchCache:                 reg.storage.SearchCache,
		CategoriesCache:             reg.storage.CategoriesCache,
		Instrument:                  reg.metrics.Middleware(server.RouteTemplate),
		Tracer:                      reg.tracer,
		WriteStallTimeout:           writeStallTimeout,
		CountStorageRequest:         reg.metrics.CountStorageRequest,
	})
	if err != nil {
		return nil, failure(routerFailure, err)
	}
	return handler, nil
}

// startMainServer binds the main listener and serves in the background:
// TLS when both -tls-cert and -tls-key are set (docs/operations.md, "TLS").
func startMainServer(cfg *config.Config, handler http.Handler, ls *listeners) error {
	var files *tlsFiles
	if cfg.Flags.TLSEnabled() {
		files = &tlsFiles{
			cert:       cfg.Flags.TLSCert,
			key:        cfg.Flags.TLSKey,
			minVersion: cfg.Flags.EffectiveTLSMinVersion(config.IsFIPSBuild()),
		}
	}
	addr := cfg.Flags.Address
	if addr == "" {
		// What Go's ListenAndServe(TLS) does with an empty address.
		addr = ":http"
		if files != nil {
			addr = ":https"
		}
	}
	return ls.startMain(addr, handler, files)
}

// waitAndShutdown blocks until SIGINT, SIGTERM or ctx ends, then shuts the
// listeners down gracefully (at most shutdownTimeout). Further signals
// during the shutdown are swallowed, as upstream does. A listener failure
// instead ends the wait as a fatal error.
func waitAndShutdown(ctx context.Context, logger *zap.Logger, ls *listeners) error {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	select {
	case <-signals:
	case <-ctx.Done():
	case err := <-ls.failures:
		return fatal(logger, err)
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := ls.shutdown(shutdownCtx); err != nil {
		return fatal(logger, failure("error on shutdown", err))
	}
	return nil
}

// hostname is epr_service_info's instance label: the OS host name, or
// "localhost" when it cannot be read, as upstream does.
func hostname() string {
	name, err := os.Hostname()
	if err != nil || name == "" {
		return "localhost"
	}
	return name
}
