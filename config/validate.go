package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
)

// Validate runs every cross-field check of the configuration. The flag
// checks (Flags.Validate) come first; main runs Validate right after Load,
// before -version, and their errors go to the standard logger. The checks
// that need the config file run only once ReadFile has read it; the
// application runs Validate again then and logs a failure as fatal with
// the error text as message, as upstream.
func (c *Config) Validate(fips bool) error {
	if err := c.Flags.Validate(fips); err != nil {
		return err
	}
	if c.fileRead && c.Flags.PackagePathsEnableWatcher && len(c.File.PackagePaths) == 0 {
		return errors.New("no package paths configured, cannot enable watcher")
	}
	return nil
}

// Validate runs the cross-flag checks in upstream's order and returns the
// first failure; the texts are upstream's, which scripts may match. fips says
// whether this is a FIPS 140-3 build (IsFIPSBuild), which forbids TLS 1.1.
func (f *Flags) Validate(fips bool) error {
	if f.TLSMinVersion != 0 && (f.TLSCert == "" || f.TLSKey == "") {
		return errors.New("-tls-min-version set but missing TLS cert and key files (-tls-cert and -tls-key)")
	}
	if fips && f.TLSMinVersion != 0 && f.TLSMinVersion < tls.VersionTLS12 {
		return fmt.Errorf("FIPS 140-3 build: -tls-min-version %s is not permitted; minimum allowed version is 1.2",
			TLSVersionName(f.TLSMinVersion))
	}
	if f.FeatureStorageIndexer && f.FeatureSQLStorageIndexer {
		return errors.New("both -feature-storage-indexer and -feature-sql-storage-indexer flags are enabled but are mutually exclusive")
	}
	if f.FeatureIncrementalUpdates && f.FeatureSQLStorageIndexer {
		return errors.New("feature-incremental-updates is not supported with feature-sql-storage-indexer; disable one of them")
	}
	if f.FeatureEnableSearchCache && !f.FeatureSQLStorageIndexer {
		return errors.New("search cache is only supported in SQL storage indexer: feature-enable-search-cache is enabled, but feature-sql-storage-indexer is not enabled")
	}
	if f.FeatureEnableCategoriesCache && !f.FeatureSQLStorageIndexer {
		return errors.New("categories cache is just supported with SQL Storage indexer: feature-enable-categories-cache is enabled, but feature-sql-storage-indexer is not enabled")
	}
	if f.PackagePathsWorkers <= 0 {
		return errors.New("package-paths-workers must be greater than 0")
	}
	// -proxy-to is only looked at when proxy mode will use it; an empty
	// value is accepted (remote calls then fail per request).
	if f.FeatureProxyMode && f.ProxyTo != "" {
		u, err := url.Parse(f.ProxyTo)
		if err != nil {
			return fmt.Errorf("invalid -proxy-to URL: %w", err)
		}
		if u.Scheme != "https" && !f.ProxyAllowInsecure {
			return fmt.Errorf("-proxy-to must use HTTPS (got %q); use -proxy-allow-insecure to allow HTTP", f.ProxyTo)
		}
	}
	return nil
}

// TLSEnabled is true when the main listener serves TLS: only when both
// files are given (with one of them alone upstream silently serves plain
// HTTP, as upstream does).
func (f *Flags) TLSEnabled() bool {
	return f.TLSCert != "" && f.TLSKey != ""
}

// EffectiveTLSMinVersion is the listener's minimum TLS version: the flag
// when set, TLS 1.2 on FIPS builds, else 0 (Go's default).
func (f *Flags) EffectiveTLSMinVersion(fips bool) uint16 {
	if f.TLSMinVersion != 0 {
		return f.TLSMinVersion
	}
	if fips {
		return tls.VersionTLS12
	}
	return 0
}
