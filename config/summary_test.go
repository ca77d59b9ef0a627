package config

import (
	"reflect"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestEffectiveLines(t *testing.T) {
	file := DefaultFile()
	file.PackagePaths = []string{"/a", "./b"}
	file.CacheTimeSearch = 1500 * time.Millisecond

	base := []string{
		"Packages paths: /a, ./b",
		"Cache time for /: 10s",
		"Cache time for /index.json: 10s",
		"Cache time for /search: 1.5s",
		"Cache time for /categories: 10m0s",
		"Cache time for all others: 10m0s",
	}
	tests := []struct {
		name  string
		flags func(f *Flags)
		file  func(f *File)
		want  []string
	}{
		{name: "defaults", flags: func(f *Flags) {}, want: base},
		{
			name:  "no paths",
			flags: func(f *Flags) {},
			file:  func(f *File) { f.PackagePaths = nil },
			want:  append([]string{"Packages paths: "}, base[1:]...),
		},
		{
			name:  "sql indexer",
			flags: func(f *Flags) { f.FeatureSQLStorageIndexer = true },
			want:  append(append([]string{}, base...), "(technical preview) SQL storage indexer database path: /tmp/"),
		},
		{
			name: "sql indexer with both caches",
			flags: func(f *Flags) {
				f.FeatureSQLStorageIndexer = true
				f.FeatureEnableSearchCache = true
				f.FeatureEnableCategoriesCache = true
			},
			want: append(append([]string{}, base...),
				"(technical preview) SQL storage indexer database path: /tmp/",
				"(technical preview) Search cache size (SQL storage indexer): 250",
				"(technical preview) Search cache TTL (SQL storage indexer): 24h0m0s",
				"(technical preview) Categories cache size (SQL storage indexer): 100",
				"(technical preview) Categories cache TTL (SQL storage indexer): 24h0m0s",
			),
		},
		{
			name:  "caches are not reported without the sql indexer",
			flags: func(f *Flags) { f.FeatureEnableSearchCache = true },
			want:  base,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Flags: DefaultFlags(), File: file}
			tt.flags(&cfg.Flags)
			if tt.file != nil {
				tt.file(&cfg.File)
			}
			core, logs := observer.New(zap.DebugLevel)
			cfg.LogEffective(zap.New(core))
			var got []string
			for _, e := range logs.All() {
				if e.Level != zap.InfoLevel {
					t.Errorf("%q logged at %v, want info", e.Message, e.Level)
				}
				got = append(got, e.Message)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestCacheTimeError(t *testing.T) {
	tests := []struct {
		name   string
		modify func(f *File)
		want   string
	}{
		{name: "defaults", modify: func(f *File) {}},
		{name: "catch all", modify: func(f *File) { f.CacheTimeCatchAll = 0 }, want: "can't create artifacts handler: cache time must be greater than 0s"},
		{name: "index", modify: func(f *File) { f.CacheTimeIndex = -time.Second }, want: "can't create index handler: cache time must be greater than 0s"},
		{name: "categories", modify: func(f *File) { f.CacheTimeCategories = 0 }, want: "can't create categories handler: cache time must be greater than 0s"},
		{name: "search", modify: func(f *File) { f.CacheTimeSearch = 0 }, want: "can't create search handler: cache time must be greater than 0s"},
		{
			name:   "first handler in upstream's order wins",
			modify: func(f *File) { f.CacheTimeSearch = 0; f.CacheTimeCategories = 0; f.CacheTimeIndex = 0 },
			want:   "can't create index handler: cache time must be greater than 0s",
		},
		{
			name:   "search after categories",
			modify: func(f *File) { f.CacheTimeSearch = 0; f.CacheTimeCategories = 0 },
			want:   "can't create categories handler: cache time must be greater than 0s",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := DefaultFile()
			tt.modify(&f)
			err := f.CacheTimeError()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestServiceName(t *testing.T) {
	tests := []struct {
		env      map[string]string
		name     string
		environm string
	}{
		{nil, "package-registry", ""},
		{map[string]string{"ELASTIC_APM_SERVICE_NAME": ""}, "package-registry", ""},
		{map[string]string{"ELASTIC_APM_SERVICE_NAME": "my-epr", "ELASTIC_APM_ENVIRONMENT": "prod"}, "my-epr", "prod"},
	}
	for _, tt := range tests {
		if got := ServiceName(envMap(tt.env)); got != tt.name {
			t.Errorf("ServiceName(%v) = %q, want %q", tt.env, got, tt.name)
		}
		if got := ServiceEnvironment(envMap(tt.env)); got != tt.environm {
			t.Errorf("ServiceEnvironment(%v) = %q, want %q", tt.env, got, tt.environm)
		}
	}
}
