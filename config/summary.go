package config

import (
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// LogEffective logs the effective configuration, one info line each, in
// upstream's order and wording: operators and the conformance kit compare
// them.
func (c *Config) LogEffective(logger *zap.Logger) {
	for _, line := range c.EffectiveLines() {
		logger.Info(line)
	}
}

// EffectiveLines are the messages LogEffective logs.
func (c *Config) EffectiveLines() []string {
	f := c.File
	lines := []string{
		"Packages paths: " + strings.Join(f.PackagePaths, ", "),
		"Cache time for /: " + f.CacheTimeIndex.String(),
		"Cache time for /index.json: " + f.CacheTimeIndex.String(),
		"Cache time for /search: " + f.CacheTimeSearch.String(),
		"Cache time for /categories: " + f.CacheTimeCategories.String(),
		"Cache time for all others: " + f.CacheTimeCatchAll.String(),
	}
	if !c.Flags.FeatureSQLStorageIndexer {
		return lines
	}
	lines = append(lines, "(technical preview) SQL storage indexer database path: "+f.SQLIndexerDatabaseFolderPath)
	if c.Flags.FeatureEnableSearchCache {
		lines = append(lines,
			"(technical preview) Search cache size (SQL storage indexer): "+strconv.Itoa(f.SearchCacheSize),
			"(technical preview) Search cache TTL (SQL storage indexer): "+f.SearchCacheTTL.String())
	}
	if c.Flags.FeatureEnableCategoriesCache {
		lines = append(lines,
			"(technical preview) Categories cache size (SQL storage indexer): "+strconv.Itoa(f.CategoriesCacheSize),
			"(technical preview) Categories cache TTL (SQL storage indexer): "+f.CategoriesCacheTTL.String())
	}
	return lines
}
