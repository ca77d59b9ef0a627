// Package ops holds the tests of the operations tooling: the container
// image (Dockerfile, .dockerignore, dev/ops/image-smoke.sh).
package ops

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const repo = "../.."

// dockerfileLines returns the Dockerfile's instructions with continuation
// lines joined and comments dropped.
func dockerfileLines(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var cur strings.Builder
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") && cur.Len() == 0 {
			continue
		}
		if s, ok := strings.CutSuffix(l, "\\"); ok {
			cur.WriteString(s)
			continue
		}
		cur.WriteString(l)
		if line := strings.TrimSpace(cur.String()); line != "" {
			out = append(out, line)
		}
		cur.Reset()
	}
	return out
}

// TestDockerfileConventions pins the image conventions operators rely on
// (operations.md §10).
func TestDockerfileConventions(t *testing.T) {
	lines := dockerfileLines(t)
	text := strings.Join(lines, "\n")
	if n := len(regexp.MustCompile(`(?m)^FROM `).FindAllString(text, -1)); n != 2 {
		t.Errorf("%d FROM instructions, want a two-stage build", n)
	}
	final := text[strings.LastIndex(text, "\nFROM "):]
	for _, want := range []string{
		"CGO_ENABLED=0 go build -trimpath -ldflags=-s -o /out/package-registry .",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("builder stage lacks %q", want)
		}
	}
	for _, want := range []string{
		"WORKDIR /package-registry",
		"COPY --from=builder /out/package-registry /package-registry/package-registry",
		"COPY config.docker.yml /package-registry/config.yml",
		"mkdir -p /packages/package-registry",
		"USER 1000",
		"ENV EPR_ADDRESS=0.0.0.0:8080",
		"EXPOSE 8080",
		`ENTRYPOINT ["./package-registry"]`,
	} {
		if !strings.Contains(final, want) {
			t.Errorf("runner stage lacks %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^HEALTHCHECK --interval=1s --retries=30 +CMD .*/health`).MatchString(final) {
		t.Error("no HEALTHCHECK on /health every 1s with 30 retries")
	}
	// USER 1000 must come after the root-only steps.
	if strings.LastIndex(final, "USER 1000") < strings.LastIndex(final, "RUN ") {
		t.Error("a RUN step comes after USER 1000")
	}

	ignore, err := os.ReadFile(filepath.Join(repo, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	patterns := strings.Fields(string(regexp.MustCompile(`(?m)#.*$`).ReplaceAll(ignore, nil)))
	has := func(p string) bool {
		for _, q := range patterns {
			if q == p {
				return true
			}
		}
		return false
	}
	for _, p := range []string{".git", "**/testdata", "docs"} {
		if !has(p) {
			t.Errorf(".dockerignore does not exclude %s", p)
		}
	}
	for _, needed := range []string{"go.mod", "go.sum", "config.docker.yml", "*.go", "server", "packages"} {
		if has(needed) {
			t.Errorf(".dockerignore excludes %s, which the build needs", needed)
		}
	}
}

// TestImageSmoke runs dev/ops/image-smoke.sh: the image's steps without
// Docker, over packages "mounted" from a temporary folder, in plain HTTP
// and with TLS (which the health check must follow).
func TestImageSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the static binary")
	}
	packages := t.TempDir()
	writePackage(t, filepath.Join(packages, "mounted_pkg", "1.0.0"), "mounted_pkg", "1.0.0")
	certDir := t.TempDir()
	cert, key := writeCert(t, certDir)

	tests := []struct {
		name string
		env  []string
	}{
		{"http", nil},
		{"tls", []string{"EPR_TLS_CERT=" + cert, "EPR_TLS_KEY=" + key}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := freePort(t)
			cmd := exec.Command("bash", "image-smoke.sh", "-p", packages, "-a", addr)
			// Unsigned packages need this, as the README says for
			// `docker run`.
			cmd.Env = append(cleanEnv(), append(tt.env, "EPR_REQUIRE_PACKAGE_SIGNATURES=false")...)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Fatalf("image-smoke.sh: %v\n%s", err, out.String())
			}
			for _, want := range []string{
				"image-smoke: health: ok\n",
				"image-smoke: search: 1 packages\n",
				`"name": "mounted_pkg"`,
			} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
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
