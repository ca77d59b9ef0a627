package config

import (
	"flag"
	"runtime"
	"time"
)

// Flag defaults (docs/configuration.md, "Flags").
const (
	DefaultAddress                     = "localhost:8080"
	DefaultConfigPath                  = "config.yml"
	DefaultLogType                     = "ecs"
	DefaultProxyTo                     = "https://epr.elastic.co/"
	DefaultStorageEndpoint             = "https://package-storage.elastic.co/"
	DefaultStorageIndexerWatchInterval = time.Minute
)

// DefaultFlags returns the compiled defaults. The worker default is the
// GOMAXPROCS value at the time of the call, as upstream computes it at
// start-up.
func DefaultFlags() Flags {
	return Flags{
		Address:                     DefaultAddress,
		AllowUnknownQueryParameters: true,
		ConfigPath:                  DefaultConfigPath,
		LogType:                     DefaultLogType,
		PackagePathsWorkers:         runtime.GOMAXPROCS(0),
		ProxyTo:                     DefaultProxyTo,
		RequirePackageSignatures:    true,
		StorageEndpoint:             DefaultStorageEndpoint,
		StorageIndexerWatchInterval: DefaultStorageIndexerWatchInterval,
	}
}

// NewFlagSet defines the 27 upstream flags on a new flag set named name
// (argv[0], shown in "Usage of <name>:"), bound to f. f must hold the
// defaults (DefaultFlags) before the call: the flag package records each
// flag's current value as the default that -help prints.
//
// The help texts are upstream's, typos included: they are part of the
// -help output that operators and the conformance kit compare.
func NewFlagSet(name string, f *Flags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)

	fs.StringVar(&f.Address, "address", f.Address,
		"Address of the package-registry service.")
	fs.BoolVar(&f.AllowUnknownQueryParameters, "allow-unknown-query-parameters", f.AllowUnknownQueryParameters,
		"Allow unknown query parameters in the request. If set to false, the server will return an error if any unknown query parameter is present in the request.")
	fs.StringVar(&f.ConfigPath, "config", f.ConfigPath,
		"Path to the configuration file.")
	fs.BoolVar(&f.DisablePackageValidation, "disable-package-validation", f.DisablePackageValidation,
		"Disable package content validation.")
	fs.BoolVar(&f.DryRun, "dry-run", f.DryRun,
		"Runs a dry-run of the registry without starting the web service (experimental).")
	fs.BoolVar(&f.FeatureEnableCategoriesCache, "feature-enable-categories-cache", f.FeatureEnableCategoriesCache,
		"Enable cache for categories requests. Just supported with the SQL storage indexer. (technical preview).")
	fs.BoolVar(&f.FeatureEnableSearchCache, "feature-enable-search-cache", f.FeatureEnableSearchCache,
		"Enable cache for search requests. Just supported with the SQL storage indexer. (technical preview).")
	fs.BoolVar(&f.FeatureIncrementalUpdates, "feature-incremental-updates", f.FeatureIncrementalUpdates,
		"Enable incremental index updates using delta files (technical preview). Not supported with the SQL storage indexer.")
	fs.BoolVar(&f.FeatureProxyMode, "feature-proxy-mode", f.FeatureProxyMode,
		"Enable proxy mode to include packages from other endpoint (technical preview).")
	fs.BoolVar(&f.FeatureSQLStorageIndexer, "feature-sql-storage-indexer", f.FeatureSQLStorageIndexer,
		"Enable SQL storage indexer to include packages from Package Storage v2 (technical preview).")
	fs.BoolVar(&f.FeatureStorageIndexer, "feature-storage-indexer", f.FeatureStorageIndexer,
		"Enable storage indexer to include packages from Package Storage v2.")
	fs.StringVar(&f.HTTPProfAddress, "httpprof", f.HTTPProfAddress,
		"Enable HTTP profiler listening on the given address.")
	// zapcore.Level is its own flag.Value. Its zero value is "info", so the
	// flag package prints no "(default ...)" of its own: upstream wrote the
	// default into the help text instead.
	fs.Var(&f.LogLevel, "log-level", `log level (default "info")`)
	fs.StringVar(&f.LogType, "log-type", f.LogType,
		"log type (ecs, dev)")
	fs.StringVar(&f.MetricsAddress, "metrics-address", f.MetricsAddress,
		"Address to expose the Prometheus metrics (experimental). ")
	fs.BoolVar(&f.PackagePathsEnableWatcher, "package-paths-enable-watcher", f.PackagePathsEnableWatcher,
		"Enable file system watcher for package paths to automatically detect new packages.")
	fs.IntVar(&f.PackagePathsWorkers, "package-paths-workers", f.PackagePathsWorkers,
		"Number of workers to use for reading packages concurrently from the configured paths. Default is the number of CPU cores returned by GOMAXPROCS.")
	fs.BoolVar(&f.ProxyAllowInsecure, "proxy-allow-insecure", f.ProxyAllowInsecure,
		"Allow HTTP (non-HTTPS) proxy-to endpoints. Use only in development or trusted environments.")
	fs.StringVar(&f.ProxyTo, "proxy-to", f.ProxyTo,
		"Proxy-to endpoint")
	fs.BoolVar(&f.RequirePackageSignatures, "require-package-signatures", f.RequirePackageSignatures,
		"Require all packages to have a signature file. Disable for self-hosted registries with custom unsigned packages.")
	fs.StringVar(&f.StorageEndpoint, "storage-endpoint", f.StorageEndpoint,
		"Package Storage public endpoint.")
	fs.StringVar(&f.StorageIndexerBucketInternal, "storage-indexer-bucket-internal", f.StorageIndexerBucketInternal,
		"Path to the internal Package Storage bucket (with gs:// prefix).")
	// QUIRK: upstream copied the -address help text here.
	fs.DurationVar(&f.StorageIndexerWatchInterval, "storage-indexer-watch-interval", f.StorageIndexerWatchInterval,
		"Address of the package-registry service.")
	fs.StringVar(&f.TLSCert, "tls-cert", f.TLSCert,
		"Path of the TLS certificate.")
	fs.StringVar(&f.TLSKey, "tls-key", f.TLSKey,
		"Path of the TLS key.")
	fs.Var((*tlsVersionFlag)(&f.TLSMinVersion), "tls-min-version", "Minimum version TLS supported.")
	fs.BoolVar(&f.PrintVersion, "version", f.PrintVersion,
		"Print Elastic Package Registry version")

	return fs
}

// EnvName is the environment variable that sets the flag named name:
// EPR_ + the name upper-cased with '-' replaced by '_', upstream's mapping.
func EnvName(flagName string) string {
	b := []byte("EPR_" + flagName)
	for i := 4; i < len(b); i++ {
		switch c := b[i]; {
		case c == '-':
			b[i] = '_'
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
