package config

import (
	"fmt"
	"strconv"
	"time"
)

// SQLOverrides are the EPR_SQL_INDEXER_* variables that override config
// file values, as read: "" means unset (set-but-empty is ignored too).
// They are parsed on every start, whatever indexer is enabled, so a
// malformed value is always fatal.
type SQLOverrides struct {
	DatabaseFolderPath  string
	SearchCacheSize     string
	SearchCacheTTL      string
	CategoriesCacheSize string
	CategoriesCacheTTL  string
}

// ReadSQLOverrides reads the EPR_SQL_INDEXER_* overrides through
// lookupEnv (nil: none set).
func ReadSQLOverrides(lookupEnv LookupEnvFunc) SQLOverrides {
	if lookupEnv == nil {
		return SQLOverrides{}
	}
	get := func(name string) string {
		v, _ := lookupEnv(name)
		return v
	}
	return SQLOverrides{
		DatabaseFolderPath:  get("EPR_SQL_INDEXER_DATABASE_FOLDER_PATH"),
		SearchCacheSize:     get("EPR_SQL_INDEXER_SEARCH_CACHE_SIZE"),
		SearchCacheTTL:      get("EPR_SQL_INDEXER_SEARCH_CACHE_TTL"),
		CategoriesCacheSize: get("EPR_SQL_INDEXER_CATEGORIES_CACHE_SIZE"),
		CategoriesCacheTTL:  get("EPR_SQL_INDEXER_CATEGORIES_CACHE_TTL"),
	}
}

// apply sets the overridden values over the file values. The order of the
// checks is upstream's: with several bad values the first one here is
// reported.
func (o SQLOverrides) apply(f *File) error {
	if o.DatabaseFolderPath != "" {
		f.SQLIndexerDatabaseFolderPath = o.DatabaseFolderPath
	}
	if err := envInt("EPR_SQL_INDEXER_SEARCH_CACHE_SIZE", o.SearchCacheSize, &f.SearchCacheSize); err != nil {
		return err
	}
	if err := envDuration("EPR_SQL_INDEXER_SEARCH_CACHE_TTL", o.SearchCacheTTL, &f.SearchCacheTTL); err != nil {
		return err
	}
	if err := envInt("EPR_SQL_INDEXER_CATEGORIES_CACHE_SIZE", o.CategoriesCacheSize, &f.CategoriesCacheSize); err != nil {
		return err
	}
	return envDuration("EPR_SQL_INDEXER_CATEGORIES_CACHE_TTL", o.CategoriesCacheTTL, &f.CategoriesCacheTTL)
}

func envInt(name, v string, dst *int) error {
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("failed to parse %s environment variable: %w", name, err)
	}
	*dst = n
	return nil
}

func envDuration(name, v string, dst *time.Duration) error {
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("failed to parse %s environment variable: %w", name, err)
	}
	*dst = d
	return nil
}
