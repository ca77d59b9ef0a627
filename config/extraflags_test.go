package config

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"
)

func TestPollIntervalFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want time.Duration
		err  string
	}{
		{name: "default off", args: []string{"epr"}, want: 0},
		{name: "command line", args: []string{"epr", "-package-paths-poll-interval", "30s"}, want: 30 * time.Second},
		{name: "environment", args: []string{"epr"}, env: map[string]string{"EPR_PACKAGE_PATHS_POLL_INTERVAL": "2m"}, want: 2 * time.Minute},
		{name: "command line wins", args: []string{"epr", "-package-paths-poll-interval=5s"}, env: map[string]string{"EPR_PACKAGE_PATHS_POLL_INTERVAL": "2m"}, want: 5 * time.Second},
		{name: "bad environment value", args: []string{"epr"}, env: map[string]string{"EPR_PACKAGE_PATHS_POLL_INTERVAL": "5"}, err: "failed to set -package-paths-poll-interval: parse error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFlags(tt.args, envMap(tt.env), &bytes.Buffer{})
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.PackagePathsPollInterval != tt.want {
				t.Errorf("poll interval = %v, want %v", f.PackagePathsPollInterval, tt.want)
			}
		})
	}
}

// TestHelpShowsOnlyUpstreamFlags: the extension flags work but -help stays
// upstream's text, byte for byte.
func TestHelpShowsOnlyUpstreamFlags(t *testing.T) {
	var out bytes.Buffer
	if _, err := ParseFlags([]string{"epr", "-help"}, nil, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error = %v, want flag.ErrHelp", err)
	}
	help := out.String()
	if strings.Contains(help, "poll-interval") {
		t.Errorf("-help must not list extension flags:\n%s", help)
	}

	var want bytes.Buffer
	d := DefaultFlags()
	fs := NewFlagSet("epr", &d)
	fs.SetOutput(&want)
	fs.Usage()
	if help != want.String() {
		t.Errorf("-help differs from the upstream flag set's usage:\n got %s\nwant %s", help, want.String())
	}
	if !strings.HasPrefix(help, "Usage of epr:\n  -address string\n") {
		t.Errorf("unexpected start: %q", help[:40])
	}
}
