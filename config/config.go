// Package config is the registry's one configuration struct: command-line
// flags, their EPR_* environment variables, the other variables the
// registry reads (APM, storage emulator, SQL indexer tuning) and the config
// file (docs/configuration.md). Every variable is read once, through the
// lookup function given to Load; nothing below this package reads the
// process environment.
package config

import (
	"io"
	"time"

	"go.uber.org/zap/zapcore"
)

// Version is the upstream version this registry is compatible with; it is
// what -version, / and the logs report.
const Version = "1.40.1"

// Config is everything the registry is configured with.
type Config struct {
	Flags Flags
	File  File
	Env   Env

	// LogOutput receives the logs (structured and standard-library ones);
	// nil means os.Stderr. It is not configurable from outside: tests set
	// it to capture what a run logs.
	LogOutput io.Writer

	// fileRead is set by ReadFile; Validate checks the file-dependent
	// rules only after it.
	fileRead bool
}

// Flags are the 27 upstream flags (docs/configuration.md, "Flags").
type Flags struct {
	Address                      string
	AllowUnknownQueryParameters  bool
	ConfigPath                   string
	DisablePackageValidation     bool
	DryRun                       bool
	FeatureEnableCategoriesCache bool
	FeatureEnableSearchCache     bool
	FeatureIncrementalUpdates    bool
	FeatureProxyMode             bool
	FeatureSQLStorageIndexer     bool
	FeatureStorageIndexer        bool
	HTTPProfAddress              string
	LogLevel                     zapcore.Level
	LogType                      string
	MetricsAddress               string
	PackagePathsEnableWatcher    bool
	PackagePathsWorkers          int
	ProxyAllowInsecure           bool
	ProxyTo                      string
	RequirePackageSignatures     bool
	StorageEndpoint              string
	StorageIndexerBucketInternal string
	StorageIndexerWatchInterval  time.Duration
	TLSCert                      string
	TLSKey                       string
	TLSMinVersion                uint16 // 0 when unset; tls.VersionTLS11..13
	PrintVersion                 bool

	// Not upstream's (hidden from -help, see extraflags.go).

	// PackagePathsPollInterval is -package-paths-poll-interval: with the
	// watcher on, also poll the package paths at this interval; ≤ 0 is off.
	PackagePathsPollInterval time.Duration
}

// File is the config file (docs/configuration.md, "Config file"), after
// the EPR_SQL_INDEXER_* overrides.
type File struct {
	PackagePaths []string

	CacheTimeIndex      time.Duration
	CacheTimeSearch     time.Duration
	CacheTimeCategories time.Duration
	CacheTimeCatchAll   time.Duration

	SQLIndexerDatabaseFolderPath string
	SearchCacheSize              int
	SearchCacheTTL               time.Duration
	CategoriesCacheSize          int
	CategoriesCacheTTL           time.Duration
}
