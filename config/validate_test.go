package config

import (
	"crypto/tls"
	"runtime/debug"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(f *Flags)
		fips   bool
		want   string
	}{
		{name: "defaults", modify: func(f *Flags) {}},
		{
			name:   "tls min version without cert",
			modify: func(f *Flags) { f.TLSMinVersion = tls.VersionTLS12; f.TLSKey = "k.pem" },
			want:   "-tls-min-version set but missing TLS cert and key files (-tls-cert and -tls-key)",
		},
		{
			name:   "tls min version without key",
			modify: func(f *Flags) { f.TLSMinVersion = tls.VersionTLS12; f.TLSCert = "c.pem" },
			want:   "-tls-min-version set but missing TLS cert and key files (-tls-cert and -tls-key)",
		},
		{
			name:   "tls min version with cert and key",
			modify: func(f *Flags) { f.TLSMinVersion = tls.VersionTLS11; f.TLSCert = "c.pem"; f.TLSKey = "k.pem" },
		},
		{
			name:   "fips refuses tls 1.1",
			modify: func(f *Flags) { f.TLSMinVersion = tls.VersionTLS11; f.TLSCert = "c.pem"; f.TLSKey = "k.pem" },
			fips:   true,
			want:   "FIPS 140-3 build: -tls-min-version 1.1 is not permitted; minimum allowed version is 1.2",
		},
		{
			name:   "fips accepts tls 1.2",
			modify: func(f *Flags) { f.TLSMinVersion = tls.VersionTLS12; f.TLSCert = "c.pem"; f.TLSKey = "k.pem" },
			fips:   true,
		},
		{
			name:   "both storage indexers",
			modify: func(f *Flags) { f.FeatureStorageIndexer = true; f.FeatureSQLStorageIndexer = true },
			want:   "both -feature-storage-indexer and -feature-sql-storage-indexer flags are enabled but are mutually exclusive",
		},
		{
			name:   "incremental with sql",
			modify: func(f *Flags) { f.FeatureSQLStorageIndexer = true; f.FeatureIncrementalUpdates = true },
			want:   "feature-incremental-updates is not supported with feature-sql-storage-indexer; disable one of them",
		},
		{
			name:   "incremental without storage is accepted",
			modify: func(f *Flags) { f.FeatureIncrementalUpdates = true },
		},
		{
			name:   "search cache without sql",
			modify: func(f *Flags) { f.FeatureEnableSearchCache = true; f.FeatureStorageIndexer = true },
			want:   "search cache is only supported in SQL storage indexer: feature-enable-search-cache is enabled, but feature-sql-storage-indexer is not enabled",
		},
		{
			name:   "categories cache without sql",
			modify: func(f *Flags) { f.FeatureEnableCategoriesCache = true },
			want:   "categories cache is just supported with SQL Storage indexer: feature-enable-categories-cache is enabled, but feature-sql-storage-indexer is not enabled",
		},
		{
			name: "caches with sql",
			modify: func(f *Flags) {
				f.FeatureSQLStorageIndexer = true
				f.FeatureEnableCategoriesCache = true
				f.FeatureEnableSearchCache = true
			},
		},
		{
			name:   "zero workers",
			modify: func(f *Flags) { f.PackagePathsWorkers = 0 },
			want:   "package-paths-workers must be greater than 0",
		},
		{
			name:   "negative workers",
			modify: func(f *Flags) { f.PackagePathsWorkers = -3 },
			want:   "package-paths-workers must be greater than 0",
		},
		{
			name:   "proxy to http",
			modify: func(f *Flags) { f.FeatureProxyMode = true; f.ProxyTo = "http://127.0.0.1:1/" },
			want:   `-proxy-to must use HTTPS (got "http://127.0.0.1:1/"); use -proxy-allow-insecure to allow HTTP`,
		},
		{
			name: "proxy to http allowed",
			modify: func(f *Flags) {
				f.FeatureProxyMode = true
				f.ProxyTo = "http://127.0.0.1:1/"
				f.ProxyAllowInsecure = true
			},
		},
		{
			name:   "proxy to bad url",
			modify: func(f *Flags) { f.FeatureProxyMode = true; f.ProxyTo = "http://[::1" },
			want:   `invalid -proxy-to URL: parse "http://[::1": missing ']' in host`,
		},
		{
			name:   "proxy to bad url even when insecure is allowed",
			modify: func(f *Flags) { f.FeatureProxyMode = true; f.ProxyTo = "ht tp://x"; f.ProxyAllowInsecure = true },
			want:   `invalid -proxy-to URL: parse "ht tp://x": first path segment in URL cannot contain colon`,
		},
		{
			name:   "proxy to without proxy mode is ignored",
			modify: func(f *Flags) { f.ProxyTo = "http://[::1" },
		},
		{
			name:   "proxy mode with empty proxy to",
			modify: func(f *Flags) { f.FeatureProxyMode = true; f.ProxyTo = "" },
		},
		{
			name: "first failing check wins",
			modify: func(f *Flags) {
				f.PackagePathsWorkers = 0
				f.FeatureStorageIndexer = true
				f.FeatureSQLStorageIndexer = true
			},
			want: "both -feature-storage-indexer and -feature-sql-storage-indexer flags are enabled but are mutually exclusive",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := DefaultFlags()
			tt.modify(&f)
			err := f.Validate(tt.fips)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTLSSettings(t *testing.T) {
	f := DefaultFlags()
	if f.TLSEnabled() {
		t.Error("TLS enabled by default")
	}
	f.TLSCert = "c.pem"
	if f.TLSEnabled() {
		t.Error("TLS enabled with a certificate but no key")
	}
	f.TLSKey = "k.pem"
	if !f.TLSEnabled() {
		t.Error("TLS not enabled with certificate and key")
	}
	if got := f.EffectiveTLSMinVersion(false); got != 0 {
		t.Errorf("default min version %x, want Go's default (0)", got)
	}
	if got := f.EffectiveTLSMinVersion(true); got != tls.VersionTLS12 {
		t.Errorf("FIPS default min version %x, want TLS 1.2", got)
	}
	f.TLSMinVersion = tls.VersionTLS13
	if got := f.EffectiveTLSMinVersion(true); got != tls.VersionTLS13 {
		t.Errorf("explicit min version %x, want TLS 1.3", got)
	}
}

func TestFIPSFromSettings(t *testing.T) {
	tests := []struct {
		settings []debug.BuildSetting
		want     bool
	}{
		{nil, false},
		{[]debug.BuildSetting{{Key: "GOOS", Value: "linux"}}, false},
		{[]debug.BuildSetting{{Key: "GOFIPS140", Value: "off"}}, false},
		{[]debug.BuildSetting{{Key: "GOFIPS140", Value: "v1.0.0"}}, true},
		{[]debug.BuildSetting{{Key: "GOFIPS140", Value: "latest"}}, true},
	}
	for _, tt := range tests {
		if got := fipsFromSettings(tt.settings); got != tt.want {
			t.Errorf("fipsFromSettings(%v) = %v, want %v", tt.settings, got, tt.want)
		}
	}
}
