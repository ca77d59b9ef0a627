package main

import (
	"archive/zip"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Operations tests: metrics, profiler, watcher, TLS versions and graceful
// shutdown, all against the built binary.

func opsManifest(name, version string) string {
	return fmt.Sprintf("format_version: 3.0.0\nname: %s\ntitle: %s\nversion: %s\ndescription: The %s package.\n"+
		"type: integration\nowner:\n  github: team\ncategories: [custom]\n", name, strings.ToUpper(name), version, name)
}

// opsWritePackage writes a minimal package directory <root>/<name>/<version>.
func opsWritePackage(t *testing.T, root, name, version string) string {
	t.Helper()
	dir := filepath.Join(root, name, version)
	for file, content := range map[string]string{
		"manifest.yml":   opsManifest(name, version),
		"docs/README.md": "# " + name + "\n",
	} {
		path := filepath.Join(dir, file)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// opsWriteZipPackage writes <root>/<name>-<version>.zip; padding > 0 adds
// a stored (uncompressed) file of that many bytes, to make downloads big.
func opsWriteZipPackage(t *testing.T, root, name, version string, padding int) string {
	t.Helper()
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, name+"-"+version+".zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	prefix := name + "-" + version + "/"
	add := func(file string, method uint16, data []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: prefix + file, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	add("manifest.yml", zip.Deflate, []byte(opsManifest(name, version)))
	add("docs/README.md", zip.Deflate, []byte("# "+name+"\n"))
	if padding > 0 {
		add("img/padding.bin", zip.Store, make([]byte, padding))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// opsConfig writes a config.yml serving root into dir.
func opsConfig(t *testing.T, dir, root string) string {
	t.Helper()
	path := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(path, []byte("package_paths:\n  - "+root+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// noRedirects shows redirects as they are.
var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func request(t *testing.T, method, url string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func scrape(t *testing.T, addr string) string {
	t.Helper()
	resp, err := httpGet("http://" + addr + "/metrics")
	if err != nil || resp.status != 200 {
		t.Fatalf("GET /metrics: %v %v", resp, err)
	}
	return string(resp.body)
}

// metricValue returns the value of the exposition line whose name and
// labels are exactly series, or -1.
func metricValue(text, series string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

func TestMetricsAndProfiler(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "packages")
	opsWritePackage(t, root, "alpha", "1.0.0")
	opsWriteZipPackage(t, root, "beta", "1.0.0", 0)
	config := opsConfig(t, dir, root)
	metricsAddr, pprofAddr := freePort(t), freePort(t)
	_, _, stderr, addr := startRegistry(t, dir, cleanEnv(), "-config", config,
		"-require-package-signatures=false", "-metrics-address", metricsAddr, "-httpprof", pprofAddr)
	base := "http://" + addr

	for _, r := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/search", 200},
		{"GET", "/search/", 301},
		{"HEAD", "/search", 200},
		{"GET", "/package/alpha/1.0.0/", 200},
		{"GET", "/epr/alpha/alpha-1.0.0.zip", 200},
		{"GET", "/epr/beta/beta-1.0.0.zip", 200},
		{"GET", "/package/beta/1.0.0/docs/README.md", 200},
		{"GET", "/no/such/route", 404},
		{"GET", "/metrics", 404}, // only on the metrics listener
	} {
		if got := request(t, r.method, base+r.path); got != r.status {
			t.Errorf("%s %s: status %d, want %d", r.method, r.path, got, r.status)
		}
	}

	text := scrape(t, metricsAddr)
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	const (
		artifact = `/epr/{packageName}/{packageName:[a-z0-9_]+}-{packageVersion}.zip`
		pkgIndex = `/package/{packageName:[a-z0-9_]+}/{packageVersion}/`
		static   = `/package/{packageName}/{packageVersion}/{name:.*}`
	)
	want := map[string]float64{
		`epr_service_info{instance="` + host + `",version="1.40.1"}`:                          1,
		`epr_number_indexed_packages`:                                                         2,
		`epr_in_flight_requests`:                                                              0,
		`epr_http_requests_total{code="200",method="get",path="/search"}`:                     1,
		`epr_http_requests_total{code="301",method="get",path="/search"}`:                     1,
		`epr_http_requests_total{code="200",method="head",path="/search"}`:                    1,
		`epr_http_requests_total{code="200",method="get",path="` + pkgIndex + `"}`:            1,
		`epr_http_requests_total{code="200",method="get",path="` + artifact + `"}`:            2,
		`epr_http_requests_total{code="200",method="get",path="` + static + `"}`:              1,
		`epr_http_response_size_bytes_count{code="200",method="get",path="` + artifact + `"}`: 2,
		`epr_http_request_duration_seconds_count{code="200",method="get",path="/search"}`:     1,
		`epr_storage_requests_total{component="artifacts",location="local"}`:                  2,
		`epr_storage_requests_total{component="statics",location="local"}`:                    1,
	}
	for series, v := range want {
		if got := metricValue(text, series); got != v {
			t.Errorf("%s = %v, want %v", series, got, v)
		}
	}
	// Every Get is timed per filesystem indexer: at least the start-up
	// count and the requests above.
	for _, idx := range []string{"FileSystemIndexer", "ZipFileSystemIndexer"} {
		if got := metricValue(text, `epr_indexer_get_duration_seconds_count{indexer="`+idx+`"}`); got < 5 {
			t.Errorf("%s Get samples = %v, want >= 5", idx, got)
		}
	}
	// The start-up /health polls are counted, the unmatched requests not.
	if got := metricValue(text, `epr_http_requests_total{code="200",method="get",path="/health"}`); got < 1 {
		t.Errorf("/health requests = %v, want >= 1", got)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "epr_http_requests_total{") && !regexp.MustCompile(`path="(/search|/health|/package/|/epr/)`).MatchString(line) {
			t.Errorf("unexpected series %s", line)
		}
	}
	for _, family := range []string{"go_goroutines ", "process_cpu_seconds_total ", "promhttp_metric_handler_requests_total{code=\"200\"} "} {
		if !strings.Contains(text, "\n"+family) {
			t.Errorf("/metrics lacks %s", family)
		}
	}
	if got := request(t, "GET", "http://"+metricsAddr+"/metrics/"); got != 404 {
		t.Errorf("/metrics/ on the metrics listener: %d, want 404", got)
	}

	// The profiler has its own listener.
	for path, status := range map[string]int{"/debug/pprof/": 200, "/debug/pprof/goroutine?debug=1": 200, "/debug/pprof/cmdline": 200} {
		if got := request(t, "GET", "http://"+pprofAddr+path); got != status {
			t.Errorf("pprof %s: %d, want %d", path, got, status)
		}
		if got := request(t, "GET", base+path); got != 404 {
			t.Errorf("%s on the main port: %d, want 404", path, got)
		}
	}
	lines := normalize(t, stderr.String())
	if !containsLine(lines, "info: Starting http metrics in "+metricsAddr) {
		t.Errorf("no 'Starting http metrics' line in\n%s", strings.Join(lines, "\n"))
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestMetricsListenerBindError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	root := filepath.Join(dir, "packages")
	opsWritePackage(t, root, "alpha", "1.0.0")
	res := runBinary(t, dir, cleanEnv(), "-config", opsConfig(t, dir, root), "-require-package-signatures=false",
		"-address", freePort(t), "-metrics-address", ln.Addr().String())
	lines := normalize(t, res.stderr)
	want := "fatal: failed to start Prometheus metrics endpoint | error: listen tcp " + ln.Addr().String() + ": bind: address already in use"
	if res.exit != 1 || lines[len(lines)-1] != want {
		t.Errorf("exit %d, last line %q, want %q", res.exit, lines[len(lines)-1], want)
	}
}

// TestWatcherInBinary: with the watcher, an empty start is allowed, new
// packages and new versions inside existing package folders appear, and
// the package gauge follows. The poll interval comes from its variable.
func TestWatcherInBinary(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "packages")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	metricsAddr := freePort(t)
	env := cleanEnv("EPR_PACKAGE_PATHS_POLL_INTERVAL=200ms")
	_, _, stderr, addr := startRegistry(t, dir, env, "-config", opsConfig(t, dir, root),
		"-require-package-signatures=false", "-package-paths-enable-watcher", "-metrics-address", metricsAddr,
		"-log-level", "debug")
	if !containsLine(normalize(t, stderr.String()), "warn: No packages found at startup. The registry is running but no content is available yet.") {
		t.Errorf("no empty-start warning in\n%s", stderr.String())
	}

	staging := t.TempDir()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not after 15s\n%s", what, stderr.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	searchHas := func(query, want string) func() bool {
		return func() bool {
			resp, err := httpGet("http://" + addr + "/search?" + query)
			return err == nil && strings.Contains(string(resp.body), want)
		}
	}

	src := opsWritePackage(t, staging, "alpha", "1.0.0")
	if err := os.MkdirAll(filepath.Join(root, "alpha"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(src, filepath.Join(root, "alpha", "1.0.0")); err != nil {
		t.Fatal(err)
	}
	waitFor("alpha 1.0.0 served", searchHas("all=true", `"version": "1.0.0"`))

	// A new version inside the existing package folder: upstream misses it.
	src = opsWritePackage(t, staging, "alpha", "1.1.0")
	if err := os.Rename(src, filepath.Join(root, "alpha", "1.1.0")); err != nil {
		t.Fatal(err)
	}
	waitFor("alpha 1.1.0 served", searchHas("all=true", `"version": "1.1.0"`))
	waitFor("gauge at 2", func() bool {
		return metricValue(scrape(t, metricsAddr), "epr_number_indexed_packages") == 2
	})
	waitFor("poller noticed a change", func() bool {
		return strings.Contains(stderr.String(), `"message":"filesystem change detected"`) &&
			strings.Contains(stderr.String(), `"event":"poll"`)
	})
}

// TestTLSVersions: without -tls-min-version a TLS 1.1 client is refused
// and TLS 1.2 is accepted, over HTTP/2; -tls-min-version 1.1 lets TLS 1.1
// in (docs/operations.md, "TLS").
func TestTLSVersions(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, pool := writeSelfSignedCert(t, dir)
	// HTTP/2 needs TLS 1.2 (Go's server answers INADEQUATE_SECURITY
	// otherwise), so the TLS 1.1 client, like real ones, speaks HTTP/1.1.
	tls11 := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11}}
	tls12 := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
	}

	t.Run("default minimum", func(t *testing.T) {
		_, _, stderr, addr := startRegistryWith(t, tls12, "https", dir, cleanEnv(),
			"-feature-proxy-mode", "-tls-cert", certFile, "-tls-key", keyFile)
		resp, err := (&http.Client{Transport: tls12, Timeout: 10 * time.Second}).Get("https://" + addr + "/health")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.TLS.Version != tls.VersionTLS12 {
			t.Errorf("got %s over TLS %x, want HTTP/2 over TLS 1.2", resp.Proto, resp.TLS.Version)
		}
		if _, err := httpGetWith(tls11, "https://"+addr+"/health"); err == nil {
			t.Error("a TLS 1.1 client was accepted by default")
		}
		// Go's server logs the refusal as an unstructured line.
		deadline := time.Now().Add(10 * time.Second)
		for !regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d http: TLS handshake error from 127\.0\.0\.1:\d+: `).MatchString(stderr.String()) {
			if time.Now().After(deadline) {
				t.Fatalf("no handshake error line in\n%s", stderr.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	t.Run("minimum 1.1", func(t *testing.T) {
		_, _, _, addr := startRegistryWith(t, tls11, "https", dir, cleanEnv(),
			"-feature-proxy-mode", "-tls-cert", certFile, "-tls-key", keyFile, "-tls-min-version", "1.1")
		resp, err := (&http.Client{Transport: tls11, Timeout: 10 * time.Second}).Get("https://" + addr + "/health")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.TLS.Version != tls.VersionTLS11 {
			t.Errorf("status %d over TLS %x, want 200 over TLS 1.1", resp.StatusCode, resp.TLS.Version)
		}
	})
}

// TestShutdownCompletesInFlightDownload: SIGTERM closes the listener at
// once, but a download in progress runs to its end before the process
// exits 0 (docs/operations.md, "Start-up, readiness and shutdown").
func TestShutdownCompletesInFlightDownload(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "packages")
	const padding = 32 << 20 // well beyond what socket buffers hold
	zipPath := opsWriteZipPackage(t, root, "big", "1.0.0", padding)
	info, err := os.Stat(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd, exited, stderr, addr := startRegistry(t, dir, cleanEnv(), "-config", opsConfig(t, dir, root),
		"-require-package-signatures=false")

	resp, err := http.Get("http://" + addr + "/epr/big/big-1.0.0.zip")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, 64<<10)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// New connections are refused while the download is still open.
	fresh := &http.Transport{DisableKeepAlives: true}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := httpGetWith(fresh, "http://"+addr+"/health"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts connections after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-exited:
		t.Fatalf("the process exited with a download in flight:\n%s", stderr.String())
	default:
	}

	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("download cut by the shutdown: %v", err)
	}
	if got := int64(len(first) + len(rest)); got != info.Size() {
		t.Errorf("downloaded %d bytes, want %d", got, info.Size())
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("no exit after the download finished")
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit status %d\n%s", code, stderr.String())
	}
	lines := normalize(t, stderr.String())
	if last := lines[len(lines)-1]; last != "info: Package registry stopped" {
		t.Errorf("last line %q", last)
	}
}

// TestStorageMetrics: the storage indexer's hooks reach the metrics
// (update counters and duration, package gauge, Get duration, relayed
// artifacts), with the in-process GCS emulator.
func TestStorageMetrics(t *testing.T) {
	dir := t.TempDir()
	manifest := func(version string) string {
		return `{"package_manifest": {"name": "stored", "title": "Stored", "version": "` + version + `",
			"release": "ga", "description": "d", "type": "integration", "format_version": "3.0.0",
			"download": "/epr/stored/stored-` + version + `.zip", "path": "/package/stored/` + version + `",
			"owner": {"github": "team"}, "categories": ["custom"]}}`
	}
	index := filepath.Join(dir, "search-index-all.json")
	if err := os.WriteFile(index, []byte(`{"packages": [`+manifest("1.0.0")+`, `+manifest("2.0.0")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/artifacts/packages/stored-1.0.0.zip" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "zip bytes")
	}))
	defer endpoint.Close()
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	metricsAddr := freePort(t)
	_, _, stderr, addr := startRegistry(t, dir, cleanEnv("EPR_EMULATOR_INDEX_PATH="+index),
		"-feature-storage-indexer", "-storage-endpoint", endpoint.URL+"/", "-metrics-address", metricsAddr)

	if got := request(t, "GET", "http://"+addr+"/epr/stored/stored-1.0.0.zip"); got != 200 {
		t.Fatalf("relayed artifact: %d\n%s", got, stderr.String())
	}
	text := scrape(t, metricsAddr)
	for series, want := range map[string]float64{
		"epr_storage_indexer_update_index_success_total":                      1,
		"epr_storage_indexer_update_index_error_total":                        0,
		"epr_number_indexed_packages":                                         2,
		`epr_storage_requests_total{component="artifacts",location="remote"}`: 1,
	} {
		if got := metricValue(text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	for series, atLeast := range map[string]float64{
		"epr_storage_indexer_update_index_duration_seconds_count":          1,
		`epr_indexer_get_duration_seconds_count{indexer="StorageIndexer"}`: 2,
	} {
		if got := metricValue(text, series); got < atLeast {
			t.Errorf("%s = %v, want >= %v", series, got, atLeast)
		}
	}
}
