package config

import (
	"bytes"
	"crypto/tls"
	"errors"
	"flag"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
)

func envMap(m map[string]string) LookupEnvFunc {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

func TestHelpText(t *testing.T) {
	want, err := os.ReadFile("testdata/help.golden")
	if err != nil {
		t.Fatal(err)
	}
	wantText := strings.ReplaceAll(string(want), "{workers}", strconv.Itoa(runtime.GOMAXPROCS(0)))

	for _, arg := range []string{"-h", "-help", "--help"} {
		t.Run(arg, func(t *testing.T) {
			var out bytes.Buffer
			// Environment values must not leak into the defaults -help shows.
			env := envMap(map[string]string{"EPR_ADDRESS": "0.0.0.0:1", "EPR_LOG_LEVEL": "debug"})
			_, err := ParseFlags([]string{"epr", arg}, env, &out)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("error = %v, want flag.ErrHelp", err)
			}
			if out.String() != wantText {
				t.Errorf("help text differs:\n%s", lineDiff(wantText, out.String()))
			}
		})
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\nwant " + strconv.Quote(wl) + "\ngot  " + strconv.Quote(gl)
		}
	}
	return "(no difference)"
}

func TestParseFlagsValues(t *testing.T) {
	defaults := DefaultFlags()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(f *Flags)
	}{
		{name: "defaults", want: func(f *Flags) {}},
		{
			name: "command line",
			args: []string{"-address", ":9000", "--dry-run", "-log-level=WARN", "-tls-min-version", "1.3",
				"-storage-indexer-watch-interval", "0", "-package-paths-workers", "7", "-allow-unknown-query-parameters=false"},
			want: func(f *Flags) {
				f.Address = ":9000"
				f.DryRun = true
				f.LogLevel = zapcore.WarnLevel
				f.TLSMinVersion = tls.VersionTLS13
				f.StorageIndexerWatchInterval = 0
				f.PackagePathsWorkers = 7
				f.AllowUnknownQueryParameters = false
			},
		},
		{
			name: "environment",
			env: map[string]string{
				"EPR_ADDRESS":                        "127.0.0.1:1",
				"EPR_FEATURE_SQL_STORAGE_INDEXER":    "T",
				"EPR_REQUIRE_PACKAGE_SIGNATURES":     "0",
				"EPR_STORAGE_INDEXER_WATCH_INTERVAL": "1h30m",
				"EPR_LOG_LEVEL":                      "dpanic",
				"EPR_TLS_MIN_VERSION":                "1.1",
				"EPR_VERSION":                        "true",
				"EPR_CONFIG":                         "other.yml",
			},
			want: func(f *Flags) {
				f.Address = "127.0.0.1:1"
				f.FeatureSQLStorageIndexer = true
				f.RequirePackageSignatures = false
				f.StorageIndexerWatchInterval = 90 * time.Minute
				f.LogLevel = zapcore.DPanicLevel
				f.TLSMinVersion = tls.VersionTLS11
				f.PrintVersion = true
				f.ConfigPath = "other.yml"
			},
		},
		{
			name: "present but empty string variables set the empty string",
			env:  map[string]string{"EPR_CONFIG": "", "EPR_ADDRESS": "", "EPR_LOG_LEVEL": ""},
			want: func(f *Flags) {
				f.ConfigPath = ""
				f.Address = ""
				f.LogLevel = zapcore.InfoLevel
			},
		},
		{
			name: "command line wins over the environment",
			args: []string{"-address", "cli:1", "-dry-run=false"},
			env:  map[string]string{"EPR_ADDRESS": "env:1", "EPR_DRY_RUN": "true", "EPR_HTTPPROF": "env:2"},
			want: func(f *Flags) {
				f.Address = "cli:1"
				f.HTTPProfAddress = "env:2"
			},
		},
		{
			name: "lookup is case-sensitive",
			env:  map[string]string{"epr_package_paths_workers": "abc", "Epr_Dry_Run": "true"},
			want: func(f *Flags) {},
		},
		{
			name: "parsing stops at the first non-flag argument",
			args: []string{"-dry-run", "extra", "-version"},
			want: func(f *Flags) { f.DryRun = true },
		},
		{
			name: "a bool flag does not take a separate value",
			args: []string{"-dry-run", "false", "-version"},
			want: func(f *Flags) { f.DryRun = true },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			got, err := ParseFlags(append([]string{"epr"}, tt.args...), envMap(tt.env), &out)
			if err != nil {
				t.Fatalf("unexpected error %v; output %q", err, out.String())
			}
			want := defaults
			tt.want(&want)
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("flags =\n%+v\nwant\n%+v", *got, want)
			}
			if out.Len() != 0 {
				t.Errorf("unexpected output %q", out.String())
			}
		})
	}
}

func TestParseFlagsEnvErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"int", map[string]string{"EPR_PACKAGE_PATHS_WORKERS": "abc"}, "failed to set -package-paths-workers: parse error"},
		{"duration without unit", map[string]string{"EPR_STORAGE_INDEXER_WATCH_INTERVAL": "5"}, "failed to set -storage-indexer-watch-interval: parse error"},
		{"empty bool", map[string]string{"EPR_DRY_RUN": ""}, "failed to set -dry-run: parse error"},
		{"yes is not a bool", map[string]string{"EPR_VERSION": "yes"}, "failed to set -version: parse error"},
		{"empty int", map[string]string{"EPR_PACKAGE_PATHS_WORKERS": ""}, "failed to set -package-paths-workers: parse error"},
		{"level", map[string]string{"EPR_LOG_LEVEL": "verbose"}, `failed to set -log-level: unrecognized level: "verbose"`},
		{"tls version", map[string]string{"EPR_TLS_MIN_VERSION": "1.0"}, "failed to set -tls-min-version: unsupported TLS version: 1.0"},
		{"empty tls version", map[string]string{"EPR_TLS_MIN_VERSION": ""}, "failed to set -tls-min-version: unsupported TLS version: "},
		{
			name: "several, in flag order",
			env: map[string]string{
				"EPR_STORAGE_INDEXER_WATCH_INTERVAL": "10",
				"EPR_PACKAGE_PATHS_WORKERS":          "abc",
				"EPR_DRY_RUN":                        "yes",
				"EPR_ADDRESS":                        "fine",
			},
			want: "failed to set -dry-run: parse error\n" +
				"failed to set -package-paths-workers: parse error\n" +
				"failed to set -storage-indexer-watch-interval: parse error",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			// Environment errors come before the command line is looked at.
			_, err := ParseFlags([]string{"epr", "-no-such-flag"}, envMap(tt.env), &out)
			var envErr *EnvError
			if !errors.As(err, &envErr) {
				t.Fatalf("error = %v (%T), want *EnvError", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error =\n%s\nwant\n%s", err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("unexpected output %q", out.String())
			}
		})
	}
}

func TestParseFlagsCommandLineErrors(t *testing.T) {
	tests := []struct {
		args      []string
		firstLine string
	}{
		{[]string{"-no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"-package-paths-workers", "abc"}, `invalid value "abc" for flag -package-paths-workers: parse error`},
		{[]string{"-dry-run=maybe"}, `invalid boolean value "maybe" for -dry-run: parse error`},
		{[]string{"-storage-indexer-watch-interval", "5"}, `invalid value "5" for flag -storage-indexer-watch-interval: parse error`},
		{[]string{"-log-level", "verbose"}, `invalid value "verbose" for flag -log-level: unrecognized level: "verbose"`},
		{[]string{"-tls-min-version", "1.0"}, `invalid value "1.0" for flag -tls-min-version: unsupported TLS version: 1.0`},
		{[]string{"-address"}, "flag needs an argument: -address"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			_, err := ParseFlags(append([]string{"epr"}, tt.args...), nil, &out)
			var usageErr *UsageError
			if !errors.As(err, &usageErr) {
				t.Fatalf("error = %v (%T), want *UsageError", err, err)
			}
			lines := strings.Split(out.String(), "\n")
			if lines[0] != tt.firstLine {
				t.Errorf("first line = %q, want %q", lines[0], tt.firstLine)
			}
			if len(lines) < 2 || lines[1] != "Usage of epr:" {
				t.Errorf("usage text missing after the error: %q", out.String())
			}
		})
	}
}

func TestLogLevelFlag(t *testing.T) {
	tests := map[string]zapcore.Level{
		"debug": zapcore.DebugLevel, "info": zapcore.InfoLevel, "warn": zapcore.WarnLevel,
		"error": zapcore.ErrorLevel, "dpanic": zapcore.DPanicLevel, "panic": zapcore.PanicLevel,
		"fatal": zapcore.FatalLevel, "WARN": zapcore.WarnLevel, "Error": zapcore.ErrorLevel, "": zapcore.InfoLevel,
	}
	for value, want := range tests {
		f, err := ParseFlags([]string{"epr", "-log-level=" + value}, nil, &bytes.Buffer{})
		if err != nil {
			t.Errorf("-log-level=%q: %v", value, err)
			continue
		}
		if f.LogLevel != want {
			t.Errorf("-log-level=%q gives %v, want %v", value, f.LogLevel, want)
		}
	}
}

func TestEnvName(t *testing.T) {
	tests := map[string]string{
		"dry-run":                         "EPR_DRY_RUN",
		"feature-sql-storage-indexer":     "EPR_FEATURE_SQL_STORAGE_INDEXER",
		"version":                         "EPR_VERSION",
		"storage-indexer-bucket-internal": "EPR_STORAGE_INDEXER_BUCKET_INTERNAL",
	}
	for in, want := range tests {
		if got := EnvName(in); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEveryFlagHasAnEnvVariable(t *testing.T) {
	f := DefaultFlags()
	fs := NewFlagSet("epr", &f)
	n := 0
	fs.VisitAll(func(fl *flag.Flag) {
		n++
		env := map[string]string{EnvName(fl.Name): "not-a-valid-value-for-non-strings"}
		_, err := ParseFlags([]string{"epr"}, envMap(env), &bytes.Buffer{})
		fields := fs.Lookup(fl.Name)
		isString := reflect.TypeOf(fields.Value).String() == "*flag.stringValue"
		if isString && err != nil {
			t.Errorf("%s: string flag rejected its variable: %v", fl.Name, err)
		}
		if !isString && (err == nil || !strings.HasPrefix(err.Error(), "failed to set -"+fl.Name+": ")) {
			t.Errorf("%s: variable %s not applied (err %v)", fl.Name, EnvName(fl.Name), err)
		}
	})
	if n != 27 {
		t.Errorf("%d flags defined, want 27", n)
	}
}
