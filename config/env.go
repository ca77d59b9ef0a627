package config

import (
	"errors"
	"flag"
	"io"

	"github.com/eprgo/package-registry/apmlite"
)

// Names of the variables that are not flags. EPR_* flag variables are
// derived from the flag names instead (EnvName).
const (
	// EnvEmulatorIndexPath names the index file that turns the in-process
	// GCS emulator on.
	EnvEmulatorIndexPath = "EPR_EMULATOR_INDEX_PATH"
	// EnvStorageEmulatorHost is the GCS emulator address, shared with the
	// Google client libraries' convention.
	EnvStorageEmulatorHost = "STORAGE_EMULATOR_HOST"
	// EnvSQLReadBatchSize and EnvSQLInsertBatchSize tune the SQL storage
	// indexer's batches.
	EnvSQLReadBatchSize   = "EPR_SQL_INDEXER_READ_PACKAGES_BATCH_SIZE"
	EnvSQLInsertBatchSize = "EPR_SQL_INDEXER_DB_INSERT_BATCH_SIZE"
)

// Env is what the registry reads from environment variables that are not
// flags. Values that upstream checks late (the APM variables, the SQL
// indexer's batch sizes and file overrides) are kept as read; their
// owners parse them at the point of start-up where upstream reports their
// errors, so the exit behaviour stays the same.
type Env struct {
	// ServiceName is ELASTIC_APM_SERVICE_NAME, or DefaultServiceName when
	// unset or empty; ServiceEnvironment is ELASTIC_APM_ENVIRONMENT.
	ServiceName        string
	ServiceEnvironment string

	// EmulatorIndexPath is EPR_EMULATOR_INDEX_PATH; StorageEmulatorHost is
	// STORAGE_EMULATOR_HOST. Empty means unset.
	EmulatorIndexPath   string
	StorageEmulatorHost string

	// SQLReadBatchSize and SQLInsertBatchSize are the raw batch-size
	// values ("" when unset); the SQL indexer parses them.
	SQLReadBatchSize   string
	SQLInsertBatchSize string

	// SQLOverrides are the EPR_SQL_INDEXER_* values applied over the
	// config file.
	SQLOverrides SQLOverrides

	// APM holds the ELASTIC_APM_* variables that are set, for apmlite.
	APM Vars
}

// Vars is a snapshot of environment variables: only the set ones are
// present, so presence keeps its meaning.
type Vars map[string]string

// Lookup has the shape of os.LookupEnv.
func (v Vars) Lookup(name string) (string, bool) {
	value, ok := v[name]
	return value, ok
}

// ReadEnv reads the variables of Env through lookupEnv (nil: none set).
func ReadEnv(lookupEnv LookupEnvFunc) Env {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	get := func(name string) string {
		v, _ := lookupEnv(name)
		return v
	}
	e := Env{
		ServiceName:         ServiceName(lookupEnv),
		ServiceEnvironment:  ServiceEnvironment(lookupEnv),
		EmulatorIndexPath:   get(EnvEmulatorIndexPath),
		StorageEmulatorHost: get(EnvStorageEmulatorHost),
		SQLReadBatchSize:    get(EnvSQLReadBatchSize),
		SQLInsertBatchSize:  get(EnvSQLInsertBatchSize),
		SQLOverrides:        ReadSQLOverrides(lookupEnv),
		APM:                 Vars{},
	}
	for _, name := range apmlite.EnvNames() {
		if v, ok := lookupEnv(name); ok {
			e.APM[name] = v
		}
	}
	return e
}

// Load reads the flags (EPR_* variables, then the command line, args[0]
// being the program name) and the other variables into a Config. Usage
// text and command-line errors go to output. The config file is read
// later (ReadFile), once the structured logger exists, because its errors
// are logged through it.
//
// Errors are those of ParseFlags: *EnvError (exit 1), flag.ErrHelp for
// -h/-help (exit 0) and *UsageError (exit 2). Cross-field checks are
// separate (Validate), since they run after parsing and before -version.
func Load(args []string, lookupEnv LookupEnvFunc, output io.Writer) (*Config, error) {
	flags, err := ParseFlags(args, lookupEnv, output)
	if err != nil {
		return nil, err
	}
	return &Config{Flags: *flags, Env: ReadEnv(lookupEnv)}, nil
}

// ExitCode is the process exit status for an error of Load.
func ExitCode(err error) int {
	var envErr *EnvError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &envErr):
		return 1
	}
	return 2
}
