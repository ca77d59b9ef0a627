package loader

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// What is not package content in a folder is left out at load with a
// warning naming the file and the reason; the rest of the package loads.
func TestFolderEntriesThatAreNotContent(t *testing.T) {
	long := strings.Repeat("l", 250)
	cases := []struct {
		name   string
		make   func(t *testing.T, dir string) string // returns the entry's relative path
		reason string
	}{
		{"FIFO", func(t *testing.T, dir string) string {
			if err := syscall.Mkfifo(filepath.Join(dir, "docs", "fifo.md"), 0o644); err != nil {
				t.Fatal(err)
			}
			return "docs/fifo.md"
		}, "not a regular file (named pipe)"},
		{"socket", func(t *testing.T, dir string) string {
			// Socket paths are limited to about 100 bytes: bind from
			// inside the folder.
			wd, _ := os.Getwd()
			defer os.Chdir(wd)
			if err := os.Chdir(filepath.Join(dir, "docs")); err != nil {
				t.Fatal(err)
			}
			l, err := net.Listen("unix", "s.sock")
			if err != nil {
				t.Skip("no unix sockets here:", err)
			}
			t.Cleanup(func() { l.Close() })
			return "docs/s.sock"
		}, "not a regular file (socket)"},
		{"deeper than 64 levels", func(t *testing.T, dir string) string {
			// 64 folders are allowed, the file in the last one is the
			// 65th level.
			rel := strings.Repeat("d/", 64) + "x.txt"
			writeTree(t, dir, map[string]string{rel: "deep"})
			return rel
		}, "path deeper than 64 levels"},
		{"longer than 1,024 bytes", func(t *testing.T, dir string) string {
			rel := strings.Repeat(long+"/", 4) + long + ".txt"
			writeTree(t, dir, map[string]string{rel: "long"})
			return rel
		}, "path longer than 1024 bytes"},
		{"backslashes", func(t *testing.T, dir string) string {
			writeTree(t, dir, map[string]string{`docs/..\..\x.md`: "bait"})
			return `docs/..\..\x.md`
		}, "unsafe entry name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writePackageDir(t, "1.0.0", minimalFiles())
			rel := c.make(t, dir)
			logger, logs := observedLogger()
			p, err := Load(dir, Options{Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			if got := assetNames(p); !slices.Equal(got, []string{"manifest.yml", "docs/README.md"}) {
				t.Errorf("assets = %q", got)
			}
			requireWarning(t, logs, "ignoring package file that cannot be served",
				"file.path="+filepath.Join(dir, filepath.FromSlash(rel)), "reason="+c.reason)
			if _, err := FilesOf(p).Open(rel); err == nil {
				t.Errorf("%s opens", rel)
			}
		})
	}
}

// A signature that is not a regular file is left out like any such package
// file: the package is published without signature_path, so nothing will
// ever open it, and the load does not block on it. A regular one is kept.
func TestSignatureThatIsNotAFile(t *testing.T) {
	cases := []struct {
		name   string
		make   func(t *testing.T, sig string)
		reason string // "" when the signature is kept
	}{
		{"regular file", func(t *testing.T, sig string) {
			if err := os.WriteFile(sig, []byte("signature"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"FIFO", func(t *testing.T, sig string) {
			if err := syscall.Mkfifo(sig, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file (named pipe)"},
		{"folder", func(t *testing.T, sig string) {
			if err := os.Mkdir(sig, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file (directory)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writePackageDir(t, "1.0.0", minimalFiles())
			sig := filepath.Clean(dir) + ".sig"
			c.make(t, sig)
			logger, logs := observedLogger()
			p, err := Load(dir, Options{Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			if c.reason == "" {
				if p.SignaturePath == "" {
					t.Error("a regular signature file was not published")
				}
				return
			}
			if p.SignaturePath != "" {
				t.Errorf("signature_path = %q for a signature that is not a file", p.SignaturePath)
			}
			requireWarning(t, logs, "ignoring package file that cannot be served",
				"file.path="+sig, "reason="+c.reason)
		})
	}
}
