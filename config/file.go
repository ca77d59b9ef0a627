package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// Config-file defaults (docs/configuration.md, "Config file").
const (
	DefaultCacheTimeIndex               = 10 * time.Second
	DefaultCacheTimeSearch              = 10 * time.Minute
	DefaultCacheTimeCategories          = 10 * time.Minute
	DefaultCacheTimeCatchAll            = 10 * time.Minute
	DefaultSQLIndexerDatabaseFolderPath = "/tmp/"
	DefaultSearchCacheSize              = 250
	DefaultSearchCacheTTL               = 24 * time.Hour
	DefaultCategoriesCacheSize          = 100
	DefaultCategoriesCacheTTL           = 24 * time.Hour
)

// DefaultFile is the configuration of an empty config file.
func DefaultFile() File {
	return File{
		CacheTimeIndex:               DefaultCacheTimeIndex,
		CacheTimeSearch:              DefaultCacheTimeSearch,
		CacheTimeCategories:          DefaultCacheTimeCategories,
		CacheTimeCatchAll:            DefaultCacheTimeCatchAll,
		SQLIndexerDatabaseFolderPath: DefaultSQLIndexerDatabaseFolderPath,
		SearchCacheSize:              DefaultSearchCacheSize,
		SearchCacheTTL:               DefaultSearchCacheTTL,
		CategoriesCacheSize:          DefaultCategoriesCacheSize,
		CategoriesCacheTTL:           DefaultCategoriesCacheTTL,
	}
}

// NotAvailableError is a config file that does not exist. There is no
// built-in fallback: upstream refuses to start.
type NotAvailableError struct {
	Path string
}

func (e *NotAvailableError) Error() string {
	return "Configuration file is not available: " + e.Path
}

// LoadFile reads the config file at path (as given, relative to the working
// directory), then applies the EPR_SQL_INDEXER_* overrides.
//
// A missing file gives *NotAvailableError. Every other error carries
// upstream's error text (`reading config failed (path: …): …`,
// `unpacking config failed (path: …): …` or `failed to parse
// EPR_SQL_INDEXER_… environment variable: …`); upstream logs them under the
// message "getting config".
func LoadFile(path string, overrides SQLOverrides) (File, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return File{}, &NotAvailableError{Path: path}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("reading config failed (path: %s): %w", path, err)
	}
	f, err := ParseFile(data, path)
	if err != nil {
		return File{}, err
	}
	if err := overrides.apply(&f); err != nil {
		return File{}, err
	}
	return f, nil
}

// ParseFile decodes config-file content; source names it in error texts.
// It follows what upstream's go-ucfg loader does without options: keys are literal strings ("cache_time.index" is one
// key, a nested cache_time map is just an unknown key), unknown keys are
// ignored, an empty document means all defaults.
func ParseFile(data []byte, source string) (File, error) {
	f := DefaultFile()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return File{}, fmt.Errorf("reading config failed (path: %s): %w", source, err)
	}
	root := resolveAlias(&doc)
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return f, nil
		}
		root = resolveAlias(root.Content[0])
	}
	if err := decodeFile(root, &f); err != nil {
		return File{}, fmt.Errorf("unpacking config failed (path: %s): %w", source,
			&fieldError{source: source, err: err})
	}
	f.PackagePaths = dedupe(f.PackagePaths)
	return f, nil
}

// fieldError adds go-ucfg's location suffix to a value error.
type fieldError struct {
	source string
	err    error
}

func (e *fieldError) Error() string {
	var ke *keyError
	if errors.As(e.err, &ke) {
		return fmt.Sprintf("%v accessing '%s' (source:'%s')", ke.err, ke.key, e.source)
	}
	return fmt.Sprintf("%v (source:'%s')", e.err, e.source)
}

func (e *fieldError) Unwrap() error { return e.err }

type keyError struct {
	key string
	err error
}

func (e *keyError) Error() string { return fmt.Sprintf("%v accessing '%s'", e.err, e.key) }
func (e *keyError) Unwrap() error { return e.err }

// fileFields maps each known key to the decoder that stores it. Keys are
// matched literally and case-sensitively.
var fileFields = map[string]func(n *yaml.Node, key string, f *File) error{
	"package_paths": func(n *yaml.Node, key string, f *File) error {
		paths, err := decodeStringList(n, key)
		if err == nil && paths != nil {
			f.PackagePaths = paths
		}
		return err
	},
	"cache_time.index":                 durationField(func(f *File) *time.Duration { return &f.CacheTimeIndex }),
	"cache_time.search":                durationField(func(f *File) *time.Duration { return &f.CacheTimeSearch }),
	"cache_time.categories":            durationField(func(f *File) *time.Duration { return &f.CacheTimeCategories }),
	"cache_time.catch_all":             durationField(func(f *File) *time.Duration { return &f.CacheTimeCatchAll }),
	"sql_indexer.database_folder_path": stringField(func(f *File) *string { return &f.SQLIndexerDatabaseFolderPath }),
	"search.cache_size":                intField(func(f *File) *int { return &f.SearchCacheSize }),
	"search.cache_ttl":                 durationField(func(f *File) *time.Duration { return &f.SearchCacheTTL }),
	"categories.cache_size":            intField(func(f *File) *int { return &f.CategoriesCacheSize }),
	"categories.cache_ttl":             durationField(func(f *File) *time.Duration { return &f.CategoriesCacheTTL }),
}

func decodeFile(root *yaml.Node, f *File) error {
	switch {
	case isNull(root):
		return nil
	case root.Kind != yaml.MappingNode:
		return fmt.Errorf("can not convert '%s' into 'object'", kindName(root))
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key := resolveAlias(root.Content[i])
		if key.Kind != yaml.ScalarNode {
			continue
		}
		decode, ok := fileFields[key.Value]
		if !ok {
			continue
		}
		if err := decode(resolveAlias(root.Content[i+1]), key.Value, f); err != nil {
			return err
		}
	}
	return nil
}

// dedupe removes repeated paths, keeping the first occurrence: the order
// of package_paths is the precedence order.
func dedupe(paths []string) []string {
	if paths == nil {
		return nil
	}
	seen := make(map[string]bool, len(paths))
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// ReadFile reads the config file named by -config into c.File, with the
// EPR_SQL_INDEXER_* overrides read by Load. Errors are those of LoadFile.
func (c *Config) ReadFile() error {
	f, err := LoadFile(c.Flags.ConfigPath, c.Env.SQLOverrides)
	if err != nil {
		return err
	}
	c.File = f
	c.fileRead = true
	return nil
}
