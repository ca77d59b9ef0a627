package config

import (
	"fmt"
	"strconv"
	"time"
)

// applyEnvOverrides applies the EPR_SQL_INDEXER_* variables over the file
// values (operations.md §3.4). They are read directly, not through the flag
// mapping: set-but-empty means unset, and they are parsed on every start,
// whatever indexer is enabled, so a malformed value is always fatal.
func (f *File) applyEnvOverrides(lookupEnv LookupEnvFunc) error {
	if lookupEnv == nil {
		return nil
	}
	get := func(name string) (string, bool) {
		v, ok := lookupEnv(name)
		return v, ok && v != ""
	}
	if v, ok := get("EPR_SQL_INDEXER_DATABASE_FOLDER_PATH"); ok {
		f.SQLIndexerDatabaseFolderPath = v
	}
	if err := envInt(get, "EPR_SQL_INDEXER_SEARCH_CACHE_SIZE", &f.SearchCacheSize); err != nil {
		return err
	}
	if err := envDuration(get, "EPR_SQL_INDEXER_SEARCH_CACHE_TTL", &f.SearchCacheTTL); err != nil {
		return err
	}
	if err := envInt(get, "EPR_SQL_INDEXER_CATEGORIES_CACHE_SIZE", &f.CategoriesCacheSize); err != nil {
		return err
	}
	return envDuration(get, "EPR_SQL_INDEXER_CATEGORIES_CACHE_TTL", &f.CategoriesCacheTTL)
}

func envInt(get func(string) (string, bool), name string, dst *int) error {
	v, ok := get(name)
	if !ok {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("failed to parse %s environment variable: %w", name, err)
	}
	*dst = n
	return nil
}

func envDuration(get func(string) (string, bool), name string, dst *time.Duration) error {
	v, ok := get(name)
	if !ok {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("failed to parse %s environment variable: %w", name, err)
	}
	*dst = d
	return nil
}
