// Package ops holds the tests of the operations tooling: the container
// image (Dockerfile, .dockerignore, dev/ops/image-smoke.sh).
package ops

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestImageSmoke runs dev/ops/image-smoke.sh (the image's build and run
// steps without Docker) over packages "mounted" from a temporary folder and
// checks what a user of the image sees: the Dockerfile's health check
// passes, the registry listens where EPR_ADDRESS says (every interface, as
// the image's 0.0.0.0), serves the mounted packages, follows TLS when it
// is configured, and runs as the image's UID 1000 (checked when the test
// runs as root with setpriv, the only case the script can switch users).
func TestImageSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the static binary")
	}
	packages := t.TempDir()
	writePackage(t, filepath.Join(packages, "mounted_pkg", "1.0.0"), "mounted_pkg", "1.0.0")
	certDir := t.TempDir()
	cert, key := writeCert(t, certDir)
	// As in a container, the TLS files must be readable by the image's
	// user, which the script switches to when it runs as root.
	for _, p := range []string{filepath.Dir(certDir), certDir, cert, key} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name   string
		host   string // of -a, the EPR_ADDRESS the script exports
		scheme string
		env    []string
	}{
		{"http on every interface", "0.0.0.0", "http", nil},
		{"tls", "127.0.0.1", "https", []string{"EPR_TLS_CERT=" + cert, "EPR_TLS_KEY=" + key}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, port, err := net.SplitHostPort(freePort(t))
			if err != nil {
				t.Fatal(err)
			}
			run := startSmoke(t, packages, net.JoinHostPort(tt.host, port), tt.env)
			base := tt.scheme + "://" + net.JoinHostPort("127.0.0.1", port)
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
				TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // the test's own certificate
			}}
			for _, c := range []struct {
				path, wantType, wantBody string
			}{
				{"/health", "", ""},
				{"/search", "application/json", `"name": "mounted_pkg"`},
				{"/package/mounted_pkg/1.0.0/", "application/json", `"version": "1.0.0"`},
				{"/package/mounted_pkg/1.0.0/docs/README.md", "text/markdown; charset=utf-8", "# mounted_pkg"},
				{"/epr/mounted_pkg/mounted_pkg-1.0.0.zip", "application/zip", "PK\x03\x04"},
			} {
				resp, err := client.Get(base + c.path)
				if err != nil {
					t.Fatalf("GET %s: %v\n%s", c.path, err, run.output())
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatalf("GET %s: %v", c.path, err)
				}
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != c.wantType ||
					!strings.Contains(string(body), c.wantBody) {
					t.Errorf("GET %s: %d %q, body %.200q; want 200 %q containing %q",
						c.path, resp.StatusCode, resp.Header.Get("Content-Type"), body, c.wantType, c.wantBody)
				}
			}
			if _, err := exec.LookPath("setpriv"); err == nil && os.Getuid() == 0 {
				if uids := processUIDs(t, run.pid); uids != "1000 1000 1000 1000" {
					t.Errorf("registry runs with UIDs %q (real, effective, saved, fs), want 1000", uids)
				}
			}
			for _, want := range []string{
				"image-smoke: health: ok\n",
				"image-smoke: search: 1 packages\n",
			} {
				if !strings.Contains(run.output(), want) {
					t.Errorf("script output lacks %q:\n%s", want, run.output())
				}
			}
		})
	}
}

// smokeRun is a running image-smoke.sh -k: the script keeps the registry
// (pid) serving until the test ends.
type smokeRun struct {
	pid int
	mu  sync.Mutex
	out bytes.Buffer
}

func (r *smokeRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// startSmoke starts the script and returns once it says the registry is
// serving (after the Dockerfile's health check passed). The script and the
// registry are stopped, gracefully, when the test ends.
func startSmoke(t *testing.T, packages, addr string, env []string) *smokeRun {
	t.Helper()
	cmd := exec.Command("bash", "image-smoke.sh", "-k", "-p", packages, "-a", addr)
	// Unsigned packages need this, as the README says for `docker run`.
	cmd.Env = append(cleanEnv(), append(env, "EPR_REQUIRE_PACKAGE_SIGNATURES=false")...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	run := &smokeRun{}
	cmd.Stderr = &lockedWriter{run}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The registry is in the script's process group: SIGTERM stops
		// both, the registry gracefully, the script through its trap.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
	})
	serving := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			run.mu.Lock()
			run.out.WriteString(line + "\n")
			run.mu.Unlock()
			if p, ok := strings.CutPrefix(line, "image-smoke: registry pid "); ok {
				run.pid, _ = strconv.Atoi(p)
			}
			if strings.HasPrefix(line, "image-smoke: serving on") && !sent {
				serving <- nil
				sent = true
			}
		}
		if !sent {
			serving <- errors.New("the script ended before serving")
		}
	}()
	select {
	case err := <-serving:
		if err != nil {
			t.Fatalf("%v:\n%s", err, run.output())
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("image-smoke.sh not serving after 90 s:\n%s", run.output())
	}
	if run.pid == 0 {
		t.Fatalf("the script did not report the registry's pid:\n%s", run.output())
	}
	return run
}

// lockedWriter appends to a smokeRun's output (stderr of the script).
type lockedWriter struct{ r *smokeRun }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.r.out.Write(p)
}

// processUIDs returns the Uid line of /proc/<pid>/status (real, effective,
// saved and file-system UIDs).
func processUIDs(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Uid:"); ok {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	t.Fatalf("no Uid line in /proc/%d/status", pid)
	return ""
}

// TestHealthcheckFollowsAddress runs the Dockerfile's HEALTHCHECK command
// the way Docker does (sh -c, with the container's environment) against
// test servers: it must pass only when /health answers 200 on the port of
// EPR_ADDRESS, over HTTPS when TLS is configured.
func TestHealthcheckFollowsAddress(t *testing.T) {
	var check string
	stages := dockerfileStages(t)
	for _, in := range stages[len(stages)-1] {
		if in.cmd == "HEALTHCHECK" {
			_, check, _ = strings.Cut(in.args, "CMD ")
		}
	}
	if check == "" {
		t.Fatal("the final stage has no HEALTHCHECK CMD")
	}
	handler := func(healthStatus int) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/health" {
				w.WriteHeader(healthStatus)
				return
			}
			http.NotFound(w, r)
		})
	}
	healthy := httptest.NewServer(handler(http.StatusOK))
	defer healthy.Close()
	failing := httptest.NewServer(handler(http.StatusServiceUnavailable))
	defer failing.Close()
	healthyTLS := httptest.NewTLSServer(handler(http.StatusOK))
	defer healthyTLS.Close()
	tlsEnv := []string{"EPR_TLS_CERT=/tls/cert.pem", "EPR_TLS_KEY=/tls/key.pem"}

	tests := []struct {
		name string
		addr string // listener whose port goes into EPR_ADDRESS
		env  []string
		want bool
	}{
		{"healthy", healthy.Listener.Addr().String(), nil, true},
		{"health failing", failing.Listener.Addr().String(), nil, false},
		{"nothing listening", freePort(t), nil, false},
		{"tls", healthyTLS.Listener.Addr().String(), tlsEnv, true},
		{"tls configured, plain server", healthy.Listener.Addr().String(), tlsEnv, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, port, err := net.SplitHostPort(tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("sh", "-c", check)
			cmd.Env = append(cleanEnv(), append(tt.env, "EPR_ADDRESS=0.0.0.0:"+port)...)
			out, err := cmd.CombinedOutput()
			if got := err == nil; got != tt.want {
				t.Errorf("health check passed = %v, want %v (%v)\n%s", got, tt.want, err, out)
			}
		})
	}
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EPR_") && !strings.HasPrefix(kv, "ELASTIC_APM_") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func writePackage(t *testing.T, dir, name, version string) {
	t.Helper()
	files := map[string]string{
		"manifest.yml": "format_version: 3.0.0\nname: " + name + "\ntitle: Mounted\nversion: " + version +
			"\ndescription: A mounted package.\ntype: integration\nowner:\n  github: team\ncategories: [custom]\n",
		"docs/README.md": "# " + name + "\n",
	}
	for file, content := range files {
		path := filepath.Join(dir, file)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writeCert writes a self-signed certificate for localhost.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
