// Command epr is a drop-in reimplementation of the Elastic Package Registry
// (operations.md). main only wires things together: configuration, package
// sources, router, listeners and shutdown, in upstream's startup order
// (operations.md §1.1).
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/logging"
	"github.com/eprgo/package-registry/metrics"
	"github.com/eprgo/package-registry/server"
)

// shutdownTimeout bounds the graceful shutdown. Upstream waits for
// in-flight requests without any limit, so one stuck download can keep a
// stopping registry alive forever; after this long the remaining
// connections are closed and the shutdown is reported as failed.
const shutdownTimeout = 30 * time.Second

func main() {
	os.Exit(run(context.Background(), os.Args, os.LookupEnv, os.Stdout, os.Stderr))
}

// run is the whole process and returns its exit status. Cancelling ctx
// triggers the same graceful shutdown as SIGINT/SIGTERM (for tests).
func run(ctx context.Context, args []string, lookupEnv config.LookupEnvFunc, stdout, stderr io.Writer) int {
	// Until the structured logger exists, failures go through a standard
	// library logger ("YYYY/MM/DD HH:MM:SS " prefix), like upstream.
	stdlog := log.New(stderr, "", log.LstdFlags)

	flags, code, ok := parseFlags(args, lookupEnv, stdout, stderr, stdlog)
	if !ok {
		return code
	}
	serviceName := config.ServiceName(lookupEnv)
	// Step 5: APM, only when ELASTIC_APM_SERVER_URL is set (nil tracer
	// otherwise). apmlite speaks the intake protocol itself because the
	// Elastic Go agent is not available to this build.
	tracer, err := apmlite.NewFromEnv(lookupEnv, serviceName, config.Version)
	if err != nil {
		stdlog.Printf("Failed to initialize APM agent: %v", err)
		return 1
	}
	// Runs last: what the shutdown logs still reaches APM.
	defer tracer.Close()

	logger, err := logging.NewLoggerTo(stderr, flags.LogType, flags.LogLevel, logging.Service{
		Name: serviceName, Version: config.Version, Environment: config.ServiceEnvironment(lookupEnv),
	})
	if err != nil {
		stdlog.Printf("Failed to initialize logging: %v", err)
		return 1
	}
	defer func() { _ = logger.Sync() }()
	logger = tracer.WrapLogger(logger)
	tracer.SetLogger(logger.Named(apmlite.LoggerName))

	file, err := config.LoadFile(flags.ConfigPath, lookupEnv)
	if err != nil {
		var notAvailable *config.NotAvailableError
		if errors.As(err, &notAvailable) {
			return fatal(logger, err.Error())
		}
		return fatal(logger, "getting config", zap.Error(err))
	}
	cfg := &config.Config{Flags: *flags, File: file}
	cfg.LogEffective(logger)

	if cfg.Flags.PackagePathsEnableWatcher && len(cfg.File.PackagePaths) == 0 {
		return fatal(logger, "no package paths configured, cannot enable watcher")
	}

	if cfg.Flags.DryRun {
		logger.Info("Running dry-run mode")
		// Upstream quirk: the emulator (EPR_EMULATOR_INDEX_PATH) is not
		// started in dry-run mode.
		reg, err := loadPackages(ctx, cfg, logger, tracer, false)
		if err != nil {
			return fatalError(logger, err)
		}
		reg.close(logger)
		return 0
	}

	logger.Info("Package registry started")
	return serve(ctx, cfg, logger, tracer, serviceName, stderr)
}

// parseFlags runs steps 1–4 of the startup: EPR_* variables, command line,
// cross-flag validation and -version. ok is false when the process must
// stop with code.
func parseFlags(args []string, lookupEnv config.LookupEnvFunc, stdout, stderr io.Writer, stdlog *log.Logger) (flags *config.Flags, code int, ok bool) {
	flags, err := config.ParseFlags(args, lookupEnv, stderr)
	var envErr *config.EnvError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil, 0, false
	case errors.As(err, &envErr):
		stdlog.Print(err)
		return nil, 1, false
	case err != nil:
		// The flag package has printed the error and the usage text.
		return nil, 2, false
	}
	if err := flags.Validate(config.IsFIPSBuild()); err != nil {
		stdlog.Print(err)
		return nil, 1, false
	}
	if flags.PrintVersion {
		fmt.Fprintf(stdout, "Elastic Package Registry version %s\n", config.Version)
		return nil, 0, false
	}
	return flags, 0, true
}

// serve runs steps 11–18: profiler, package sources, router, listeners,
// then waits for a shutdown signal.
func serve(ctx context.Context, cfg *config.Config, logger *zap.Logger, tracer *apmlite.Tracer, serviceName string, stderr io.Writer) int {
	// Listener errors that happen after the listener was bound arrive here
	// and are as fatal as the bind errors.
	failures := make(chan *startupFailure, 2)

	if addr := cfg.Flags.HTTPProfAddress; addr != "" {
		logger.Info("Starting http pprof in " + addr)
		if err := startProfiler(addr, failures); err != nil {
			return fatal(logger, "failed to start HTTP profiler", zap.Error(err))
		}
	}

	reg, err := loadPackages(ctx, cfg, logger, tracer, true)
	if err != nil {
		return fatalError(logger, err)
	}
	reg.watcher = startWatcher(ctx, cfg, logger, reg)
	code := serveRegistry(ctx, cfg, logger, serviceName, stderr, reg, failures)
	// Fatal paths close the sources too: upstream just exits, but closing
	// releases the SQL indexer's files and the emulator cleanly.
	reg.close(logger)
	if code == 0 {
		logger.Info("Package registry stopped")
	}
	return code
}

// serveRegistry runs steps 15–18 on loaded package sources.
func serveRegistry(ctx context.Context, cfg *config.Config, logger *zap.Logger, serviceName string, stderr io.Writer, reg *registry, failures chan *startupFailure) int {
	handler, err := newRouter(cfg, logger, serviceName, reg)
	if err != nil {
		return fatalError(logger, err)
	}

	srv, err := startMainServer(cfg, handler, stderr, failures)
	if err != nil {
		return fatal(logger, "error occurred while serving", zap.Error(err))
	}

	if err := startMetrics(cfg, logger, reg.metrics, failures); err != nil {
		_ = srv.Close()
		return fatal(logger, "failed to start Prometheus metrics endpoint", zap.Error(err))
	}

	return waitAndShutdown(ctx, srv, logger, failures)
}

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

// loadPackages builds the combined indexer (storage, then zip, then
// directory packages; operations.md §8.1), loads it and applies the
// "no packages" rule of §1.2. useEmulator is false in dry-run mode. With
// APM on, loading is the "initIndexer" transaction (operations.md §7).
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
	if storage == nil {
		storage = &storageSetup{}
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
		return nil, &startupFailure{Message: "Init failed", Err: err}
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
		return &startupFailure{Message: "Init failed", Err: err}
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
		return &startupFailure{Message: "No local packages found."}
	}
	return nil
}

// newRouter builds the API handler. The cache-time check comes first so
// that its error names the same handler upstream's would.
func newRouter(cfg *config.Config, logger *zap.Logger, serviceName string, reg *registry) (http.Handler, error) {
	const routerFailure = "failed go configure router" // sic, upstream's text
	if err := cfg.File.CacheTimeError(); err != nil {
		return nil, &startupFailure{Message: routerFailure, Err: err}
	}
	proxy, err := setupProxy(cfg, logger)
	if err != nil {
		return nil, err
	}
	opts := server.Options{
		Indexer:                     reg.indexer,
		Logger:                      logger,
		CacheTimeIndex:              cfg.File.CacheTimeIndex,
		CacheTimeSearch:             cfg.File.CacheTimeSearch,
		CacheTimeCategories:         cfg.File.CacheTimeCategories,
		CacheTimeCatchAll:           cfg.File.CacheTimeCatchAll,
		AllowUnknownQueryParameters: cfg.Flags.AllowUnknownQueryParameters,
		ServiceName:                 serviceName,
		ServiceVersion:              config.Version,
		Proxy:                       proxy,
		SearchCache:                 reg.storage.SearchCache,
		CategoriesCache:             reg.storage.CategoriesCache,
		Instrument:                  reg.metrics.Middleware(server.RouteTemplate),
		Tracer:                      reg.tracer,
		WriteStallTimeout:           writeStallTimeout,
		CountStorageRequest:         reg.metrics.CountStorageRequest,
	}
	handler, err := server.NewRouter(opts)
	if err != nil {
		return nil, &startupFailure{Message: routerFailure, Err: err}
	}
	return handler, nil
}

// Timeouts of the main server. Upstream sets none, so a client can hold a
// connection (and a goroutine) forever by sending headers slowly or by not
// reading its answer. They are chosen so that no legitimate client, even a
// slow one downloading a large package, is cut off (docs/operations.md,
// "Timeouts").
const (
	// readHeaderTimeout bounds the wait for the request headers
	// (slowloris).
	readHeaderTimeout = 10 * time.Second
	// readTimeout bounds reading a whole request. The API reads no bodies,
	// so this only limits clients that trickle one in.
	readTimeout = time.Minute
	// idleTimeout closes keep-alive connections with no request.
	idleTimeout = 2 * time.Minute
	// writeStallTimeout closes a connection whose client has not accepted
	// any answer data for this long (server.Options.WriteStallTimeout).
	writeStallTimeout = time.Minute
)

// hardenServer applies the timeouts above to the main server; the write
// stall is the router's (server.Options.WriteStallTimeout).
func hardenServer(srv *http.Server) {
	srv.ReadHeaderTimeout = readHeaderTimeout
	srv.ReadTimeout = readTimeout
	srv.IdleTimeout = idleTimeout
}

// startMainServer binds the main listener and serves in the background:
// TLS when both -tls-cert and -tls-key are set (operations.md §4.2). A bind
// error is returned; later serving errors (certificate files, for
// example) go to failures.
func startMainServer(cfg *config.Config, handler http.Handler, stderr io.Writer, failures chan<- *startupFailure) (*http.Server, error) {
	useTLS := cfg.Flags.TLSEnabled()
	addr := cfg.Flags.Address
	if addr == "" {
		// What Go's ListenAndServe(TLS) does with an empty address.
		addr = ":http"
		if useTLS {
			addr = ":https"
		}
	}
	srv := &http.Server{
		Addr:    addr,
		Handler: handler,
		// Go's server-internal errors (TLS handshakes, ...) stay
		// unstructured standard-logger lines, as upstream's.
		ErrorLog: log.New(stderr, "", log.LstdFlags),
	}
	hardenServer(srv)
	if useTLS {
		srv.TLSConfig = &tls.Config{MinVersion: cfg.Flags.EffectiveTLSMinVersion(config.IsFIPSBuild())}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	go func() {
		var err error
		if useTLS {
			err = srv.ServeTLS(ln, cfg.Flags.TLSCert, cfg.Flags.TLSKey)
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			failures <- &startupFailure{Message: "error occurred while serving", Err: err}
		}
	}()
	return srv, nil
}

// startProfiler serves net/http/pprof on its own listener and mux, never
// on the main port (operations.md §4.1). It is not part of the graceful
// shutdown: it dies with the process.
func startProfiler(addr string, failures chan<- *startupFailure) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go func() {
		err := http.Serve(ln, mux)
		failures <- &startupFailure{Message: "failed to start HTTP profiler", Err: err}
	}()
	return nil
}

// waitAndShutdown blocks until SIGINT, SIGTERM or ctx ends, then shuts the
// main server down gracefully (at most shutdownTimeout). Further signals
// during the shutdown are swallowed, as upstream does. A listener failure
// instead ends the wait with exit code 1.
func waitAndShutdown(ctx context.Context, srv *http.Server, logger *zap.Logger, failures <-chan *startupFailure) int {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	select {
	case <-signals:
	case <-ctx.Done():
	case f := <-failures:
		_ = srv.Close()
		return fatalError(logger, f)
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fatal(logger, "error on shutdown", zap.Error(err))
	}
	return 0
}

// startupFailure is a fatal startup condition: Message is the log message
// and Err, when set, its error.message (operations.md §1.2). Setup
// functions (setupStorage, setupProxy) may return it to choose the message.
type startupFailure struct {
	Message string
	Err     error
}

func (f *startupFailure) Error() string {
	if f.Err == nil {
		return f.Message
	}
	return f.Message + ": " + f.Err.Error()
}

func (f *startupFailure) Unwrap() error { return f.Err }

// asStartupFailure turns any setup error into a fatal message and cause.
// Besides *startupFailure it understands the usual wrapping
// fmt.Errorf("<message>: %w", cause), so setup code can return
// "failed to initialize fake GCS server: <cause>" and get upstream's
// message/error.message split. Other errors become the message.
func asStartupFailure(err error) *startupFailure {
	var f *startupFailure
	if errors.As(err, &f) {
		return f
	}
	if cause := errors.Unwrap(err); cause != nil {
		if msg, ok := strings.CutSuffix(err.Error(), ": "+cause.Error()); ok && msg != "" {
			return &startupFailure{Message: msg, Err: cause}
		}
	}
	return &startupFailure{Message: err.Error()}
}

// fatalError logs err as a fatal startup failure and returns exit code 1.
func fatalError(logger *zap.Logger, err error) int {
	f := asStartupFailure(err)
	if f.Err == nil {
		return logFatal(logger, f.Message)
	}
	return logFatal(logger, f.Message, zap.Error(f.Err))
}

// fatal writes a fatal-level line and returns exit code 1. Unlike
// zap's Fatal it does not exit, so run stays testable in-process and the
// deferred clean-ups run; main exits with the returned code.
func fatal(logger *zap.Logger, msg string, fields ...zap.Field) int {
	return logFatal(logger, msg, fields...)
}

// logFatal is shared by fatal and fatalError; log.origin names their
// caller.
func logFatal(logger *zap.Logger, msg string, fields ...zap.Field) int {
	logger.WithOptions(zap.WithFatalHook(continueAfterFatal{}), zap.AddCallerSkip(2)).Fatal(msg, fields...)
	return 1
}

type continueAfterFatal struct{}

func (continueAfterFatal) OnWrite(*zapcore.CheckedEntry, []zapcore.Field) {}
