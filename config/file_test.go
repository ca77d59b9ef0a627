package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    func(f *File)
	}{
		{name: "empty file", content: "", want: func(f *File) {}},
		{name: "only a comment", content: "# nothing here\n", want: func(f *File) {}},
		{name: "explicit null document", content: "~\n", want: func(f *File) {}},
		{
			name: "flat dotted keys",
			content: `package_paths:
  - ./a
  - /b
cache_time.index: 3s
cache_time.search: 2h
cache_time.categories: 1m30s
cache_time.catch_all: 500ms
sql_indexer.database_folder_path: /var/db
search.cache_size: 10
search.cache_ttl: 1h
categories.cache_size: 0x10
categories.cache_ttl: 30m
`,
			want: func(f *File) {
				f.PackagePaths = []string{"./a", "/b"}
				f.CacheTimeIndex = 3 * time.Second
				f.CacheTimeSearch = 2 * time.Hour
				f.CacheTimeCategories = 90 * time.Second
				f.CacheTimeCatchAll = 500 * time.Millisecond
				f.SQLIndexerDatabaseFolderPath = "/var/db"
				f.SearchCacheSize = 10
				f.SearchCacheTTL = time.Hour
				f.CategoriesCacheSize = 16
				f.CategoriesCacheTTL = 30 * time.Minute
			},
		},
		{
			name: "nested form is ignored",
			content: `cache_time:
  index: 3s
  search: abc
search:
  cache_size: x
`,
			want: func(f *File) {},
		},
		{
			name:    "unknown and differently-cased keys are ignored",
			content: "Cache_Time.Index: 1s\nno_such_key: [1, {a: b}]\nPACKAGE_PATHS: /x\n",
			want:    func(f *File) {},
		},
		{
			name:    "no variable expansion",
			content: "package_paths: ['${HOME}/packages']\n",
			want:    func(f *File) { f.PackagePaths = []string{"${HOME}/packages"} },
		},
		{
			name:    "json syntax",
			content: `{"package_paths": ["/p"], "cache_time.index": "4s"}`,
			want: func(f *File) {
				f.PackagePaths = []string{"/p"}
				f.CacheTimeIndex = 4 * time.Second
			},
		},
		{
			name:    "package_paths as a scalar",
			content: "package_paths: /only/one\n",
			want:    func(f *File) { f.PackagePaths = []string{"/only/one"} },
		},
		{
			name:    "package_paths scalars keep their literal text",
			content: "package_paths: [2024-01-01, 10, true, 'quoted']\n",
			want:    func(f *File) { f.PackagePaths = []string{"2024-01-01", "10", "true", "quoted"} },
		},
		{
			name:    "empty package_paths",
			content: "package_paths: []\n",
			want:    func(f *File) { f.PackagePaths = []string{} },
		},
		{
			name:    "duplicated paths are removed, first kept",
			content: "package_paths: [/b, /a, /b, /c, /a]\n",
			want:    func(f *File) { f.PackagePaths = []string{"/b", "/a", "/c"} },
		},
		{
			name:    "bare numbers are seconds",
			content: "cache_time.index: 7\ncache_time.search: 1.5\ncategories.cache_ttl: 0\n",
			want: func(f *File) {
				f.CacheTimeIndex = 7 * time.Second
				f.CacheTimeSearch = 1500 * time.Millisecond
				f.CategoriesCacheTTL = 0
			},
		},
		{
			name:    "zero and negative durations load (the router refuses them)",
			content: "cache_time.catch_all: 0s\ncache_time.index: -1s\n",
			want: func(f *File) {
				f.CacheTimeCatchAll = 0
				f.CacheTimeIndex = -time.Second
			},
		},
		{
			name:    "null values keep the defaults",
			content: "cache_time.index:\npackage_paths: ~\nsearch.cache_size: null\n",
			want:    func(f *File) {},
		},
		{
			name:    "anchors and aliases",
			content: "x: &t 5s\ncache_time.index: *t\npackage_paths: &p [/a]\n",
			want: func(f *File) {
				f.CacheTimeIndex = 5 * time.Second
				f.PackagePaths = []string{"/a"}
			},
		},
		{
			name:    "last duplicate key wins",
			content: "cache_time.index: 1s\ncache_time.index: 2s\n",
			want:    func(f *File) { f.CacheTimeIndex = 2 * time.Second },
		},
		{
			name:    "numeric strings for sizes",
			content: "search.cache_size: '42'\ncategories.cache_size: -1\n",
			want: func(f *File) {
				f.SearchCacheSize = 42
				f.CategoriesCacheSize = -1
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFile([]byte(tt.content), "test.yml")
			if err != nil {
				t.Fatalf("ParseFile: %v", err)
			}
			want := DefaultFile()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{
			name:    "invalid duration",
			content: "cache_time.index: abc\n",
			want:    `unpacking config failed (path: p.yml): time: invalid duration "abc" accessing 'cache_time.index' (source:'p.yml')`,
		},
		{
			name:    "quoted number is a string without unit",
			content: "search.cache_ttl: '10'\n",
			want:    `unpacking config failed (path: p.yml): time: missing unit in duration "10" accessing 'search.cache_ttl' (source:'p.yml')`,
		},
		{
			name:    "duration of the wrong type",
			content: "cache_time.search: [1s]\n",
			want:    `unpacking config failed (path: p.yml): can not convert '[]interface {}' into 'duration' accessing 'cache_time.search' (source:'p.yml')`,
		},
		{
			name:    "bool duration",
			content: "cache_time.search: true\n",
			want:    `unpacking config failed (path: p.yml): can not convert 'bool' into 'duration' accessing 'cache_time.search' (source:'p.yml')`,
		},
		{
			name:    "int of the wrong type",
			content: "search.cache_size: abc\n",
			want:    `unpacking config failed (path: p.yml): strconv.ParseInt: parsing "abc": invalid syntax accessing 'search.cache_size' (source:'p.yml')`,
		},
		{
			name:    "fractional int",
			content: "categories.cache_size: 1.5\n",
			want:    `unpacking config failed (path: p.yml): can not convert '1.5' into 'int' accessing 'categories.cache_size' (source:'p.yml')`,
		},
		{
			name:    "package path that is an object",
			content: "package_paths: [/a, {b: c}]\n",
			want:    `unpacking config failed (path: p.yml): can not convert 'object' into 'string' accessing 'package_paths.1' (source:'p.yml')`,
		},
		{
			name:    "package_paths as an object",
			content: "package_paths: {a: b}\n",
			want:    `unpacking config failed (path: p.yml): can not convert 'object' into '[]string' accessing 'package_paths' (source:'p.yml')`,
		},
		{
			name:    "top level list",
			content: "- a\n- b\n",
			want:    `unpacking config failed (path: p.yml): can not convert '[]interface {}' into 'object' (source:'p.yml')`,
		},
		{
			name:    "yaml syntax",
			content: "package_paths: [a\n",
			want:    `reading config failed (path: p.yml): yaml: line 1: did not find expected ',' or ']'`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile([]byte(tt.content), "p.yml")
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error =\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadFileNotAvailable(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "missing.yml"), "", "no-such-config.yml"} {
		_, err := LoadFile(path, SQLOverrides{})
		var na *NotAvailableError
		if !errors.As(err, &na) {
			t.Errorf("LoadFile(%q) error = %v, want *NotAvailableError", path, err)
			continue
		}
		if want := "Configuration file is not available: " + path; err.Error() != want {
			t.Errorf("error = %q, want %q", err, want)
		}
	}
}

func TestLoadFileDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadFile(dir, SQLOverrides{})
	if err == nil || !strings.HasPrefix(err.Error(), "reading config failed (path: "+dir+"): ") {
		t.Errorf("error = %v, want a reading error", err)
	}
}

func TestLoadFileEnvOverrides(t *testing.T) {
	path := writeFile(t, "config.yml", "package_paths: [/p]\nsearch.cache_size: 5\nsearch.cache_ttl: 5s\nsql_indexer.database_folder_path: /from/file\n")
	tests := []struct {
		name string
		env  map[string]string
		want func(f *File)
		err  string
	}{
		{name: "none", want: func(f *File) {}},
		{
			name: "all",
			env: map[string]string{
				"EPR_SQL_INDEXER_DATABASE_FOLDER_PATH":  "/from/env",
				"EPR_SQL_INDEXER_SEARCH_CACHE_SIZE":     "7",
				"EPR_SQL_INDEXER_SEARCH_CACHE_TTL":      "1m",
				"EPR_SQL_INDEXER_CATEGORIES_CACHE_SIZE": "-1",
				"EPR_SQL_INDEXER_CATEGORIES_CACHE_TTL":  "0",
			},
			want: func(f *File) {
				f.SQLIndexerDatabaseFolderPath = "/from/env"
				f.SearchCacheSize = 7
				f.SearchCacheTTL = time.Minute
				f.CategoriesCacheSize = -1
				f.CategoriesCacheTTL = 0
			},
		},
		{
			name: "empty values are ignored",
			env: map[string]string{
				"EPR_SQL_INDEXER_DATABASE_FOLDER_PATH": "",
				"EPR_SQL_INDEXER_SEARCH_CACHE_SIZE":    "",
				"EPR_SQL_INDEXER_CATEGORIES_CACHE_TTL": "",
			},
			want: func(f *File) {},
		},
		{
			name: "bad search cache size",
			env:  map[string]string{"EPR_SQL_INDEXER_SEARCH_CACHE_SIZE": "x"},
			err:  `failed to parse EPR_SQL_INDEXER_SEARCH_CACHE_SIZE environment variable: strconv.Atoi: parsing "x": invalid syntax`,
		},
		{
			name: "bad categories cache size",
			env:  map[string]string{"EPR_SQL_INDEXER_CATEGORIES_CACHE_SIZE": "1.0"},
			err:  `failed to parse EPR_SQL_INDEXER_CATEGORIES_CACHE_SIZE environment variable: strconv.Atoi: parsing "1.0": invalid syntax`,
		},
		{
			name: "bad search cache ttl",
			env:  map[string]string{"EPR_SQL_INDEXER_SEARCH_CACHE_TTL": "soon"},
			err:  `failed to parse EPR_SQL_INDEXER_SEARCH_CACHE_TTL environment variable: time: invalid duration "soon"`,
		},
		{
			name: "bad categories cache ttl",
			env:  map[string]string{"EPR_SQL_INDEXER_CATEGORIES_CACHE_TTL": "5"},
			err:  `failed to parse EPR_SQL_INDEXER_CATEGORIES_CACHE_TTL environment variable: time: missing unit in duration "5"`,
		},
		{
			name: "search size is checked before categories ttl",
			env: map[string]string{
				"EPR_SQL_INDEXER_CATEGORIES_CACHE_TTL": "5",
				"EPR_SQL_INDEXER_SEARCH_CACHE_SIZE":    "x",
			},
			err: `failed to parse EPR_SQL_INDEXER_SEARCH_CACHE_SIZE environment variable: strconv.Atoi: parsing "x": invalid syntax`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadFile(path, ReadSQLOverrides(envMap(tt.env)))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := DefaultFile()
			want.PackagePaths = []string{"/p"}
			want.SearchCacheSize = 5
			want.SearchCacheTTL = 5 * time.Second
			want.SQLIndexerDatabaseFolderPath = "/from/file"
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestShippedConfigFiles(t *testing.T) {
	tests := []struct {
		path  string
		paths []string
	}{
		{"../config.yml", []string{"./testdata/local-storage"}},
		{"../config.docker.yml", []string{"/packages/package-registry"}},
	}
	for _, tt := range tests {
		got, err := LoadFile(tt.path, SQLOverrides{})
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		want := DefaultFile()
		want.PackagePaths = tt.paths
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n%+v\nwant\n%+v", tt.path, got, want)
		}
	}
}
