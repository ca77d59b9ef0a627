package config

import (
	"bytes"
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Load reads every variable once: the flags' EPR_* ones and the others,
// which keep their raw values for the owners that parse them.
func TestLoad(t *testing.T) {
	// As an env file: a flag's variable; APM (the service name and
	// environment are the registry's too, and only the variables apmlite
	// knows are kept); the storage emulator; SQL indexer tuning, kept raw
	// even when malformed.
	const envFile = `EPR_ADDRESS=0.0.0.0:9000
ELASTIC_APM_SERVICE_NAME=my-epr
ELASTIC_APM_ENVIRONMENT=prod
ELASTIC_APM_SERVER_URL=
ELASTIC_APM_GLOBAL_LABELS=a=b
ELASTIC_APM_NOT_A_KNOWN_VARIABLE=x
EPR_EMULATOR_INDEX_PATH=/idx.json
STORAGE_EMULATOR_HOST=127.0.0.1:9023
EPR_SQL_INDEXER_READ_PACKAGES_BATCH_SIZE=12
EPR_SQL_INDEXER_DB_INSERT_BATCH_SIZE=x
EPR_SQL_INDEXER_SEARCH_CACHE_TTL=1m`
	env := map[string]string{}
	for _, line := range strings.Split(envFile, "\n") {
		name, value, _ := strings.Cut(line, "=")
		env[name] = value
	}
	cfg, err := Load([]string{"epr", "-dry-run"}, envMap(env), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Flags.Address != "0.0.0.0:9000" || !cfg.Flags.DryRun {
		t.Errorf("flags: address %q, dry-run %v", cfg.Flags.Address, cfg.Flags.DryRun)
	}
	want := Env{
		ServiceName:         "my-epr",
		ServiceEnvironment:  "prod",
		EmulatorIndexPath:   "/idx.json",
		StorageEmulatorHost: "127.0.0.1:9023",
		SQLReadBatchSize:    "12",
		SQLInsertBatchSize:  "x",
		SQLOverrides:        SQLOverrides{SearchCacheTTL: "1m"},
		APM: Vars{
			"ELASTIC_APM_SERVICE_NAME":  "my-epr",
			"ELASTIC_APM_ENVIRONMENT":   "prod",
			"ELASTIC_APM_SERVER_URL":    "",
			"ELASTIC_APM_GLOBAL_LABELS": "a=b",
		},
	}
	if !reflect.DeepEqual(cfg.Env, want) {
		t.Errorf("env\n%+v\nwant\n%+v", cfg.Env, want)
	}
	// Presence survives the snapshot: a set-but-empty server URL turns
	// APM on with the default URL.
	if v, ok := cfg.Env.APM.Lookup("ELASTIC_APM_SERVER_URL"); !ok || v != "" {
		t.Errorf("ELASTIC_APM_SERVER_URL: %q, %v", v, ok)
	}
	if _, ok := cfg.Env.APM.Lookup("ELASTIC_APM_SECRET_TOKEN"); ok {
		t.Error("an unset variable is present")
	}
}

func TestLoadErrorsAndExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
	}{
		{"help", []string{"epr", "-help"}, nil, 0},
		{"bad EPR_ value", []string{"epr"}, map[string]string{"EPR_PACKAGE_PATHS_WORKERS": "x"}, 1},
		{"unknown flag", []string{"epr", "-bogus"}, nil, 2},
		{"bad flag value", []string{"epr", "-package-paths-workers", "x"}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(tt.args, envMap(tt.env), &bytes.Buffer{})
			if err == nil || cfg != nil {
				t.Fatalf("got %v, %v", cfg, err)
			}
			if got := ExitCode(err); got != tt.code {
				t.Errorf("exit code %d, want %d (%v)", got, tt.code, err)
			}
		})
	}
	if ExitCode(nil) != 0 || ExitCode(flag.ErrHelp) != 0 || ExitCode(&EnvError{Errs: []error{errors.New("x")}}) != 1 {
		t.Error("ExitCode of nil, ErrHelp or *EnvError")
	}
}

// The watcher needs package paths, which only the config file gives: the
// check waits for ReadFile, and then reports upstream's text.
func TestValidateWithFile(t *testing.T) {
	// Keyed by the config file's content.
	tests := map[string]struct {
		watcher bool
		want    string
	}{
		"package_paths: []\n":   {true, "no package paths configured, cannot enable watcher"},
		"package_paths: [/p]\n": {true, ""},
		"":                      {false, ""},
	}
	for file, tt := range tests {
		t.Run(file, func(t *testing.T) {
			cfg := &Config{Flags: DefaultFlags()}
			cfg.Flags.ConfigPath = writeFile(t, "config.yml", file)
			cfg.Flags.PackagePathsEnableWatcher = tt.watcher
			if err := cfg.Validate(false); err != nil {
				t.Fatalf("before ReadFile: %v", err)
			}
			if err := cfg.ReadFile(); err != nil {
				t.Fatal(err)
			}
			got := ""
			if err := cfg.Validate(false); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// Flag checks come first, whatever the file says.
	cfg := &Config{Flags: DefaultFlags()}
	cfg.Flags.PackagePathsWorkers = 0
	cfg.Flags.PackagePathsEnableWatcher = true
	cfg.fileRead = true
	if err := cfg.Validate(false); err == nil || err.Error() != "package-paths-workers must be greater than 0" {
		t.Errorf("got %v", err)
	}
}

// ReadFile applies the overrides Load read, and a bad one fails it.
func TestReadFileOverrides(t *testing.T) {
	cfg := &Config{Flags: DefaultFlags(), Env: ReadEnv(envMap(map[string]string{"EPR_SQL_INDEXER_SEARCH_CACHE_TTL": "1m"}))}
	cfg.Flags.ConfigPath = writeFile(t, "config.yml", "search.cache_ttl: 5s\n")
	if err := cfg.ReadFile(); err != nil {
		t.Fatal(err)
	}
	if cfg.File.SearchCacheTTL != time.Minute {
		t.Errorf("search TTL %v, want 1m", cfg.File.SearchCacheTTL)
	}
	cfg.Env.SQLOverrides.SearchCacheSize = "many"
	const want = `failed to parse EPR_SQL_INDEXER_SEARCH_CACHE_SIZE environment variable: strconv.Atoi: parsing "many": invalid syntax`
	if err := cfg.ReadFile(); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
