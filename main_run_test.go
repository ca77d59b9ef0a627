package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envFunc(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// TestRunInProcess drives run itself: its exit codes, and a graceful
// shutdown triggered by cancelling the context.
func TestRunInProcess(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(config, []byte("package_paths: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	quick := []struct {
		args       []string
		env        map[string]string
		code       int
		stdout     string
		stderrHas  string
		stderrLast string
	}{
		{args: []string{"-version"}, stdout: "Elastic Package Registry version 1.40.1\n"},
		{args: []string{"-help"}, stderrHas: "Usage of epr:\n"},
		{args: []string{"-bogus"}, code: 2, stderrHas: "flag provided but not defined: -bogus\nUsage of epr:\n"},
		{env: map[string]string{"EPR_PACKAGE_PATHS_WORKERS": "x"}, code: 1, stderrLast: "failed to set -package-paths-workers: parse error"},
		{args: []string{"-config", filepath.Join(dir, "none.yml")}, code: 1, stderrLast: "fatal: Configuration file is not available: " + filepath.Join(dir, "none.yml")},
		{args: []string{"-config", config, "-dry-run"}, code: 1, stderrLast: "fatal: No local packages found."},
	}
	for _, tt := range quick {
		var stdout, stderr strings.Builder
		code := run(context.Background(), append([]string{"epr"}, tt.args...), envFunc(tt.env), &stdout, &stderr)
		if code != tt.code || stdout.String() != tt.stdout {
			t.Errorf("%v: code %d, stdout %q; want %d, %q", tt.args, code, stdout.String(), tt.code, tt.stdout)
		}
		if !strings.Contains(stderr.String(), tt.stderrHas) {
			t.Errorf("%v: stderr %q does not contain %q", tt.args, stderr.String(), tt.stderrHas)
		}
		if tt.stderrLast != "" {
			lines := normalize(t, stderr.String())
			if last := lines[len(lines)-1]; last != tt.stderrLast {
				t.Errorf("%v: last stderr line %q, want %q", tt.args, last, tt.stderrLast)
			}
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done, stderr, addr := runServing(t, ctx, envFunc(nil), "-config", config, "-feature-proxy-mode", "-log-type", "dev")
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("run returned %d:\n%s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "\tINFO\t") || !strings.Contains(last, "\tPackage registry stopped\t") {
		t.Errorf("last line %q, want the dev-format stopped line", last)
	}
	if _, err := httpGet("http://" + addr + "/health"); err == nil {
		t.Error("the listener is still open after run returned")
	}
}

// TestRunStopsEveryListener: the metrics and profiler listeners are
// servers of their own, shut down with the main one when run stops, so an
// in-process run leaves no port open.
func TestRunStopsEveryListener(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(config, []byte("package_paths: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	metricsAddr, pprofAddr := freePort(t), freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done, stderr, addr := runServing(t, ctx, envFunc(nil), "-config", config, "-feature-proxy-mode",
		"-metrics-address", metricsAddr, "-httpprof", pprofAddr)
	urls := []string{
		"http://" + addr + "/health",
		"http://" + metricsAddr + "/metrics",
		"http://" + pprofAddr + "/debug/pprof/cmdline",
	}
	for _, u := range urls {
		if resp, err := httpGet(u); err != nil || resp.status != 200 {
			t.Fatalf("%s before the stop: %v, %v", u, resp, err)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("run returned %d:\n%s", code, stderr.String())
	}
	for _, u := range urls {
		if _, err := httpGet(u); err == nil {
			t.Errorf("%s still answers after run returned", u)
		}
	}
}
