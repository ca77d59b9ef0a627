package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eprgo/package-registry/config"
)

// binary is the registry built once for the command-line tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "epr-main-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "epr")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the registry:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cleanEnv is the test process environment without anything that
// configures the registry, plus extra.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "EPR_") || strings.HasPrefix(name, "ELASTIC_APM_") ||
			name == "STORAGE_EMULATOR_HOST" || name == "GOOGLE_APPLICATION_CREDENTIALS" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

var stdlibPrefix = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `)

// normalize turns output lines into comparable text: the standard
// logger's timestamp is dropped, and an ECS line becomes
// "<level>: <message>[ | error: <error.message>]".
func normalize(t *testing.T, out string) []string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if strings.HasPrefix(l, "{") {
			var m struct {
				Level   string `json:"log.level"`
				Message string `json:"message"`
				Error   *struct {
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("invalid JSON log line %q: %v", l, err)
			}
			l = m.Level + ": " + m.Message
			if m.Error != nil {
				l += " | error: " + m.Error.Message
			}
		}
		lines = append(lines, stdlibPrefix.ReplaceAllString(l, ""))
	}
	return lines
}

type result struct {
	exit   int
	stdout string
	stderr string
}

func runBinary(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("running %v: %v", args, err)
	}
	return result{exit: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

func packagesDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata/main/packages")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCommandLine(t *testing.T) {
	pkgs := packagesDir(t)
	tests := []struct {
		name  string
		args  []string
		env   []string
		files map[string]string
		exit  int
		// stdout is compared whole; stderr is the normalised last line,
		// or every line when allStderr is set.
		stdout    string
		stderr    []string
		allStderr bool
	}{
		{name: "version", args: []string{"-version"}, stdout: "Elastic Package Registry version 1.40.1\n"},
		{name: "version from env", env: []string{"EPR_VERSION=true"}, stdout: "Elastic Package Registry version 1.40.1\n"},
		{
			name: "version after validation", args: []string{"-version", "-package-paths-workers", "0"}, exit: 1,
			stderr: []string{"package-paths-workers must be greater than 0"},
		},
		{
			name: "unknown flag", args: []string{"-no-such-flag"}, exit: 2,
			stderr: []string{"    \tPrint Elastic Package Registry version"},
		},
		{
			name: "bad env values, all reported in flag order", exit: 1, allStderr: true,
			env: []string{"EPR_STORAGE_INDEXER_WATCH_INTERVAL=10", "EPR_PACKAGE_PATHS_WORKERS=abc", "EPR_DRY_RUN=yes"},
			stderr: []string{
				"failed to set -dry-run: parse error",
				"failed to set -package-paths-workers: parse error",
				"failed to set -storage-indexer-watch-interval: parse error",
			},
		},
		{
			name: "empty bool env", env: []string{"EPR_DRY_RUN="}, exit: 1, allStderr: true,
			stderr: []string{"failed to set -dry-run: parse error"},
		},
		{
			name: "env errors come before command-line errors", args: []string{"-no-such-flag"},
			env: []string{"EPR_LOG_LEVEL=loud"}, exit: 1, allStderr: true,
			stderr: []string{`failed to set -log-level: unrecognized level: "loud"`},
		},
		{
			name: "validation", args: []string{"-feature-storage-indexer", "-feature-sql-storage-indexer"}, exit: 1,
			allStderr: true,
			stderr:    []string{"both -feature-storage-indexer and -feature-sql-storage-indexer flags are enabled but are mutually exclusive"},
		},
		{
			name: "tls min version without files", args: []string{"-tls-min-version", "1.2"}, exit: 1,
			stderr: []string{"-tls-min-version set but missing TLS cert and key files (-tls-cert and -tls-key)"},
		},
		{
			name: "log type", args: []string{"-log-type", "plain"}, exit: 1, allStderr: true,
			stderr: []string{`Failed to initialize logging: invalid logger type "plain"`},
		},
		{
			name: "missing default config", exit: 1, allStderr: true,
			stderr: []string{"fatal: Configuration file is not available: config.yml"},
		},
		{
			name: "empty config path", env: []string{"EPR_CONFIG="}, exit: 1,
			stderr: []string{"fatal: Configuration file is not available: "},
		},
		{
			name: "lower-case variables are ignored", env: []string{"epr_config=x.yml", "epr_package_paths_workers=abc"}, exit: 1,
			stderr: []string{"fatal: Configuration file is not available: config.yml"},
		},
		{
			name: "bad duration in config", args: []string{"-config", "c.yml"}, exit: 1,
			files:  map[string]string{"c.yml": "cache_time.index: abc\n"},
			stderr: []string{`fatal: getting config | error: unpacking config failed (path: c.yml): time: invalid duration "abc" accessing 'cache_time.index' (source:'c.yml')`},
		},
		{
			name: "bad sql cache variable", exit: 1,
			files:  map[string]string{"config.yml": "package_paths: []\n"},
			env:    []string{"EPR_SQL_INDEXER_SEARCH_CACHE_SIZE=x"},
			stderr: []string{`fatal: getting config | error: failed to parse EPR_SQL_INDEXER_SEARCH_CACHE_SIZE environment variable: strconv.Atoi: parsing "x": invalid syntax`},
		},
		{
			name: "effective config lines",
			args: []string{"-package-paths-enable-watcher", "-feature-sql-storage-indexer", "-feature-enable-search-cache"},
			exit: 1, allStderr: true,
			files: map[string]string{"config.yml": "package_paths: []\ncache_time.search: 90\n"},
			env:   []string{"EPR_SQL_INDEXER_DATABASE_FOLDER_PATH=/nonexistent/db", "EPR_SQL_INDEXER_SEARCH_CACHE_TTL=1h"},
			stderr: []string{
				"info: Packages paths: ",
				"info: Cache time for /: 10s",
				"info: Cache time for /index.json: 10s",
				"info: Cache time for /search: 1m30s",
				"info: Cache time for /categories: 10m0s",
				"info: Cache time for all others: 10m0s",
				"info: (technical preview) SQL storage indexer database path: /nonexistent/db",
				"info: (technical preview) Search cache size (SQL storage indexer): 250",
				"info: (technical preview) Search cache TTL (SQL storage indexer): 1h0m0s",
				"fatal: no package paths configured, cannot enable watcher",
			},
		},
		{
			name: "watcher without paths", args: []string{"-package-paths-enable-watcher"}, exit: 1,
			files:  map[string]string{"config.yml": "package_paths: []\n"},
			stderr: []string{"fatal: no package paths configured, cannot enable watcher"},
		},
		{
			name: "dry run without packages", args: []string{"-dry-run"}, exit: 1,
			files:  map[string]string{"config.yml": "package_paths: [./does-not-exist]\n"},
			stderr: []string{"fatal: No local packages found."},
		},
		{
			name: "dry run", args: []string{"-dry-run", "-require-package-signatures=false"},
			files:  map[string]string{"config.yml": "package_paths: ['" + pkgs + "']\n"},
			stderr: []string{"info: 1 local package manifests loaded."},
		},
		{
			name: "dry run from env, stops at the first non-flag argument", args: []string{"extra", "-version"},
			env:    []string{"EPR_DRY_RUN=1", "EPR_REQUIRE_PACKAGE_SIGNATURES=false"},
			files:  map[string]string{"config.yml": "package_paths: " + pkgs + "\n"},
			stderr: []string{"info: 1 local package manifests loaded."},
		},
		{
			name: "dry run with a missing signature", args: []string{"-dry-run"},
			files:  map[string]string{"config.yml": "package_paths: ['" + pkgs + "']\n"},
			exit:   1,
			stderr: []string{"fatal: Init failed | error: package hello-1.0.0 is missing a required signature file"},
		},
		{
			name: "cache time zero", args: []string{"-feature-proxy-mode", "-address", "127.0.0.1:0"}, exit: 1,
			files:  map[string]string{"config.yml": "cache_time.search: 0s\ncache_time.index: 0\n"},
			stderr: []string{"fatal: failed go configure router | error: can't create index handler: cache time must be greater than 0s"},
		},
		{
			name: "missing TLS files", args: []string{"-feature-proxy-mode", "-address", "127.0.0.1:0", "-tls-cert", "nonexist.pem", "-tls-key", "nonexist.pem"},
			exit:   1,
			files:  map[string]string{"config.yml": ""},
			stderr: []string{"fatal: error occurred while serving | error: open nonexist.pem: no such file or directory"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			env := cleanEnv(append([]string{"EPR_ADDRESS=127.0.0.1:0"}, tt.env...)...)
			res := runBinary(t, dir, env, tt.args...)
			if res.exit != tt.exit {
				t.Errorf("exit status %d, want %d\nstderr:\n%s", res.exit, tt.exit, res.stderr)
			}
			if res.stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", res.stdout, tt.stdout)
			}
			var got []string
			if res.stderr != "" {
				got = normalize(t, res.stderr)
			}
			if !tt.allStderr && len(got) > 1 {
				got = got[len(got)-1:]
			}
			if strings.Join(got, "\n") != strings.Join(tt.stderr, "\n") {
				t.Errorf("stderr\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.stderr, "\n"))
			}
		})
	}
}

func TestHelp(t *testing.T) {
	golden, err := os.ReadFile("config/testdata/help.golden")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(string(golden), "Usage of epr:", "Usage of "+binary+":")
	want = strings.ReplaceAll(want, "{workers}", strconv.Itoa(runtime.NumCPU()))

	for _, arg := range []string{"-h", "-help"} {
		// The environment neither changes the shown defaults nor the exit.
		res := runBinary(t, t.TempDir(), cleanEnv("EPR_ADDRESS=elsewhere:1", "GOMAXPROCS="+strconv.Itoa(runtime.NumCPU())), arg)
		if res.exit != 0 || res.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q", arg, res.exit, res.stdout)
		}
		if res.stderr != want {
			t.Errorf("%s: help text\n%s\nwant\n%s", arg, res.stderr, want)
		}
	}

	res := runBinary(t, t.TempDir(), cleanEnv(), "-package-paths-workers", "x")
	lines := strings.SplitN(res.stderr, "\n", 2)
	if res.exit != 2 || lines[0] != `invalid value "x" for flag -package-paths-workers: parse error` ||
		!strings.HasPrefix(lines[1], "Usage of "+binary+":\n") {
		t.Errorf("bad value: exit %d, stderr %q", res.exit, res.stderr)
	}
}

func TestWorkersDefaultFollowsGOMAXPROCS(t *testing.T) {
	res := runBinary(t, t.TempDir(), cleanEnv("GOMAXPROCS=3"), "-h")
	if !strings.Contains(res.stderr, "GOMAXPROCS. (default 3)\n") {
		t.Errorf("help does not show the GOMAXPROCS default:\n%s", res.stderr)
	}
}

func TestBindError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	res := runBinary(t, dir, cleanEnv(), "-feature-proxy-mode", "-address", addr)
	got := normalize(t, res.stderr)
	want := "fatal: error occurred while serving | error: listen tcp " + addr + ": bind: address already in use"
	if res.exit != 1 || got[len(got)-1] != want {
		t.Errorf("exit %d, last line %q, want %q", res.exit, got[len(got)-1], want)
	}

	res = runBinary(t, dir, cleanEnv(), "-feature-proxy-mode", "-address", "127.0.0.1:0", "-httpprof", addr)
	got = normalize(t, res.stderr)
	want = "fatal: failed to start HTTP profiler | error: listen tcp " + addr + ": bind: address already in use"
	if res.exit != 1 || got[len(got)-1] != want {
		t.Errorf("exit %d, last line %q, want %q", res.exit, got[len(got)-1], want)
	}
	if got[len(got)-2] != "info: Starting http pprof in "+addr {
		t.Errorf("line before the fatal: %q", got[len(got)-2])
	}
}

// freePort returns a loopback address that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startRegistry starts the binary in the background and waits until its
// main port answers /health.
// The returned channel gets cmd.Wait's result.
func startRegistry(t *testing.T, dir string, env []string, args ...string) (*exec.Cmd, <-chan error, *syncBuffer, string) {
	t.Helper()
	return startRegistryWith(t, http.DefaultTransport, "http", dir, env, args...)
}

func startRegistryWith(t *testing.T, transport http.RoundTripper, scheme, dir string, env []string, args ...string) (*exec.Cmd, <-chan error, *syncBuffer, string) {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(binary, append([]string{"-address", addr}, args...)...)
	cmd.Dir = dir
	cmd.Env = env
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := httpGetWith(transport, scheme+"://"+addr+"/health"); err == nil && resp.status == 200 {
			return cmd, exited, stderr, addr
		}
		select {
		case <-exited:
			t.Fatalf("registry exited before serving:\n%s", stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("registry did not start:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runServing calls run in-process, listening on a free port, and waits
// until /health answers. The channel gets run's exit code; stop it by
// cancelling ctx.
func runServing(t *testing.T, ctx context.Context, env config.LookupEnvFunc, args ...string) (<-chan int, *syncBuffer, string) {
	t.Helper()
	addr := freePort(t)
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"epr", "-address", addr}, args...), env, &syncBuffer{}, stderr)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := httpGet("http://" + addr + "/health"); err == nil && resp.status == 200 {
			return done, stderr, addr
		}
		select {
		case code := <-done:
			t.Fatalf("run returned %d before serving:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not serving:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServeAndGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), []byte("package_paths: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pprofAddr := freePort(t)
	env := cleanEnv("ELASTIC_APM_SERVICE_NAME=test-registry", "ELASTIC_APM_ENVIRONMENT=ci")
	// Proxy mode: no local packages is not fatal, and nothing is asked
	// from the remote until a request needs it.
	cmd, exited, stderr, addr := startRegistry(t, dir, env, "-feature-proxy-mode", "-httpprof", pprofAddr)

	resp, err := httpGet("http://" + addr + "/index.json")
	if err != nil {
		t.Fatal(err)
	}
	var index map[string]string
	if err := json.Unmarshal(resp.body, &index); err != nil || index["service.name"] != "test-registry" || index["service.version"] != "1.40.1" {
		t.Errorf("/index.json = %s (%v)", resp.body, err)
	}
	if resp, err := httpGet("http://" + pprofAddr + "/debug/pprof/cmdline"); err != nil || resp.status != 200 {
		t.Errorf("pprof: %v %v", resp, err)
	}
	if resp, err := httpGet("http://" + addr + "/debug/pprof/cmdline"); err != nil || resp.status != 404 {
		t.Errorf("pprof on the main port: %v %v", resp, err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = <-exited
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit status %d (%v)\n%s", code, err, stderr.String())
	}

	lines := normalize(t, stderr.String())
	wantOrder := []string{
		"info: Packages paths: ",
		"info: Package registry started",
		"info: Starting http pprof in " + pprofAddr,
		"info: No local packages found, but the proxy mode can access remote ones.",
		"info: Package registry stopped",
	}
	i := 0
	for _, l := range lines {
		if i < len(wantOrder) && l == wantOrder[i] {
			i++
		}
	}
	if i != len(wantOrder) {
		t.Errorf("missing or out of order: %q\nin\n%s", wantOrder[i], strings.Join(lines, "\n"))
	}
	if last := lines[len(lines)-1]; last != "info: Package registry stopped" {
		t.Errorf("last line %q", last)
	}
	for _, raw := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Errorf("not an ECS line: %q", raw)
			continue
		}
		if m["service.name"] != "test-registry" || m["service.environment"] != "ci" {
			t.Errorf("service fields missing in %s", raw)
		}
	}
}

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type response struct {
	status int
	body   []byte
}

func httpGet(url string) (*response, error) {
	return httpGetWith(http.DefaultTransport, url)
}

func httpGetWith(transport http.RoundTripper, url string) (*response, error) {
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, err
	}
	return &response{status: resp.StatusCode, body: buf.Bytes()}, nil
}

func TestHardenServer(t *testing.T) {
	srv := &http.Server{Handler: http.NotFoundHandler()}
	hardenServer(srv)
	if srv.ReadHeaderTimeout != readHeaderTimeout || srv.ReadTimeout != readTimeout || srv.IdleTimeout != idleTimeout {
		t.Errorf("timeouts: header %v, read %v, idle %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout)
	}
	if srv.WriteTimeout != 0 {
		t.Errorf("WriteTimeout %v: an absolute write deadline cuts long downloads", srv.WriteTimeout)
	}
}
