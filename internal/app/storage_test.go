package app

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
	"github.com/eprgo/package-registry/storage"
)

func storageTestConfig(t *testing.T) *config.Config {
	t.Helper()
	return &config.Config{
		Flags: config.Flags{
			StorageEndpoint:             storage.DefaultEndpoint,
			StorageIndexerWatchInterval: time.Minute,
		},
		File: config.File{
			SQLIndexerDatabaseFolderPath: t.TempDir(),
			SearchCacheSize:              250,
			SearchCacheTTL:               24 * time.Hour,
			CategoriesCacheSize:          100,
			CategoriesCacheTTL:           24 * time.Hour,
		},
	}
}

// The emulator's fatal conditions come back as start-up errors with
// upstream's messages, which operators match.
func TestSetupStorageFailures(t *testing.T) {
	index := filepath.Join("..", "..", "storage", "testdata", "index-a.json")
	cases := []struct {
		name    string
		env     map[string]string
		flags   func(f *config.Flags)
		message string
		err     string
	}{
		{
			name:    "emulator without a storage indexer",
			env:     map[string]string{"EPR_EMULATOR_INDEX_PATH": index},
			message: "EPR_EMULATOR_INDEX_PATH environment variable is set, but feature-storage-indexer or feature-sql-storage-indexer are not enabled. Please enable one of them to use the fake GCS server.",
		},
		{
			name: "emulator with another bucket",
			env:  map[string]string{"EPR_EMULATOR_INDEX_PATH": index},
			flags: func(f *config.Flags) {
				f.FeatureStorageIndexer = true
				f.StorageIndexerBucketInternal = "gs://other-bucket"
			},
			message: "EPR_EMULATOR_INDEX_PATH environment variable is set, but storage-indexer-bucket-internal is already set to a different value. Please remove the flag or set it to the fake GCS server bucket gs://fake-package-storage-internal",
		},
		{
			name:    "emulator with an empty index",
			env:     map[string]string{"EPR_EMULATOR_INDEX_PATH": filepath.Join("..", "..", "storage", "testdata", "index-empty.json")},
			flags:   func(f *config.Flags) { f.FeatureSQLStorageIndexer = true },
			message: "failed to initialize fake GCS server",
			err:     "failed to prepare fake storage server: failed to prepare server objects: index file must contain some package entries",
		},
		{
			name:    "emulator host with a scheme",
			env:     map[string]string{"EPR_EMULATOR_INDEX_PATH": index, "STORAGE_EMULATOR_HOST": "http://h:p"},
			flags:   func(f *config.Flags) { f.FeatureStorageIndexer = true },
			message: "failed to initialize fake GCS server",
			err:     "failed to split host and port from STORAGE_EMULATOR_HOST: address http://h:p: too many colons in address",
		},
		{
			name:    "bad SQL batch size",
			env:     map[string]string{"EPR_EMULATOR_INDEX_PATH": index, "EPR_SQL_INDEXER_DB_INSERT_BATCH_SIZE": "x"},
			flags:   func(f *config.Flags) { f.FeatureSQLStorageIndexer = true },
			message: "failed to initialize SQL storage indexer",
			err:     `failed to initialize storage database: failed to parse EPR_SQL_INDEXER_DB_INSERT_BATCH_SIZE environment variable: strconv.Atoi: parsing "x": invalid syntax`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("STORAGE_EMULATOR_HOST", "")
			cfg := storageTestConfig(t)
			cfg.Env = config.ReadEnv(config.Vars(c.env).Lookup)
			if c.flags != nil {
				c.flags(&cfg.Flags)
			}
			setup, err := setupStorage(context.Background(), cfg, zap.NewNop(), true, nil, nil)
			var f *StartupError
			if !errors.As(err, &f) {
				t.Fatalf("got %v, %v", setup, err)
			}
			if f.Message != c.message || storageErrText(f.Err) != c.err {
				t.Errorf("got  %q / %q\nwant %q / %q", f.Message, storageErrText(f.Err), c.message, c.err)
			}
		})
	}
}

// Dry runs ignore EPR_EMULATOR_INDEX_PATH entirely.
func TestSetupStorageWithoutEmulator(t *testing.T) {
	cfg := storageTestConfig(t)
	cfg.Env.EmulatorIndexPath = "/does/not/exist.json"
	setup, err := setupStorage(context.Background(), cfg, zap.NewNop(), false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer setup.Close()
	if setup.Indexer != nil || setup.SearchCache != nil || setup.CategoriesCache != nil {
		t.Errorf("unexpected setup %+v", setup)
	}
}

func TestSetupStorageWithEmulator(t *testing.T) {
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/zip")
		w.Write([]byte(r.URL.Path))
	}))
	defer endpoint.Close()
	cases := []struct {
		name   string
		flags  func(f *config.Flags)
		caches bool
	}{
		{"storage indexer", func(f *config.Flags) { f.FeatureStorageIndexer = true; f.FeatureIncrementalUpdates = true }, false},
		{"SQL storage indexer with caches", func(f *config.Flags) {
			f.FeatureSQLStorageIndexer = true
			f.FeatureEnableSearchCache = true
			f.FeatureEnableCategoriesCache = true
			f.StorageIndexerBucketInternal = storage.EmulatorBucket
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The GCS library reads the variable itself: it must not be
			// what finds the emulator here.
			t.Setenv("STORAGE_EMULATOR_HOST", "")
			cfg := storageTestConfig(t)
			cfg.Env.EmulatorIndexPath = filepath.Join("..", "..", "storage", "testdata", "index-a.json")
			cfg.Flags.StorageEndpoint = endpoint.URL + "/"
			c.flags(&cfg.Flags)
			setup, err := setupStorage(context.Background(), cfg, zap.NewNop(), true, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer setup.Close()
			// The client is pointed at the emulator by an option; nothing
			// is set in the process environment.
			if host := os.Getenv("STORAGE_EMULATOR_HOST"); host != "" {
				t.Errorf("STORAGE_EMULATOR_HOST set to %q", host)
			}
			if (setup.SearchCache != nil) != c.caches || (setup.CategoriesCache != nil) != c.caches {
				t.Errorf("caches: %v, %v", setup.SearchCache, setup.CategoriesCache)
			}
			idx := indexer.NewCombined(setup.Indexer)
			if err := idx.Init(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer idx.Close(context.Background())
			pkgs, err := idx.Get(context.Background(), &indexer.GetOptions{})
			if err != nil || len(pkgs) != 11 {
				t.Fatalf("got %d packages, %v", len(pkgs), err)
			}
			// Artifacts are relayed from -storage-endpoint.
			lookup := &packages.Filter{PackageName: "solo", PackageVersion: "1.0.0", AllVersions: true, Prerelease: true, Experimental: true}
			found, err := idx.Get(context.Background(), &indexer.GetOptions{Filter: lookup, SkipPackageData: true})
			if err != nil || len(found) != 1 || indexer.Remote(found[0]) == nil {
				t.Fatalf("lookup: %v, %v", found, err)
			}
			rec := httptest.NewRecorder()
			indexer.Remote(found[0]).ServeArtifact(rec, httptest.NewRequest(http.MethodGet, "/epr/solo/solo-1.0.0.zip", nil), found[0])
			if rec.Code != 200 || rec.Body.String() != "/artifacts/packages/solo-1.0.0.zip" {
				t.Errorf("artifact: %d %q", rec.Code, rec.Body.String())
			}
			if c.caches {
				for _, name := range []string{storage.SQLDatabaseFile, storage.SQLSwapDatabaseFile} {
					if _, err := os.Stat(filepath.Join(cfg.File.SQLIndexerDatabaseFolderPath, name)); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
}

func storageErrText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
