package indexer

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func mustFingerprint(t *testing.T, path string, isZip bool) fingerprint {
	t.Helper()
	fp, err := fingerprintOf(path, isZip)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

// Any change the loader could see changes the fingerprint, including a
// same-size rewrite with the modification time put back.
func TestFingerprintSeesEveryChange(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "p", "1.0.0")
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(pkg, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("manifest.yml", "name: p\n")
	write("docs/README.md", "# p\n")

	changes := []struct {
		name   string
		change func()
	}{
		{"nothing", func() {}},
		{"same-size rewrite, mtime restored", func() {
			p := filepath.Join(pkg, "manifest.yml")
			info, _ := os.Stat(p)
			time.Sleep(10 * time.Millisecond)
			write("manifest.yml", "name: q\n")
			if err := os.Chtimes(p, info.ModTime(), info.ModTime()); err != nil {
				t.Fatal(err)
			}
		}},
		{"new file", func() { write("img/a.svg", "<svg/>") }},
		{"removed file", func() { os.Remove(filepath.Join(pkg, "img", "a.svg")) }},
		{"signature added", func() { os.WriteFile(pkg+".sig", []byte("sig"), 0o644) }},
		{"signature removed", func() { os.Remove(pkg + ".sig") }},
	}
	prev := mustFingerprint(t, pkg, false)
	for i, c := range changes {
		c.change()
		got := mustFingerprint(t, pkg, false)
		if same := got == prev; same != (i == 0) {
			t.Errorf("%s: fingerprint unchanged = %v", c.name, same)
		}
		prev = got
	}

	zipPath := filepath.Join(root, "p-1.0.0.zip")
	if err := os.WriteFile(zipPath, []byte("zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := mustFingerprint(t, zipPath, true)
	if err := os.WriteFile(zipPath, []byte("zap"), 0o644); err != nil {
		t.Fatal(err)
	}
	if mustFingerprint(t, zipPath, true) == a {
		t.Error("rewritten zip keeps its fingerprint")
	}
	if _, err := fingerprintOf(filepath.Join(root, "gone"), false); err == nil {
		t.Error("a missing package has a fingerprint")
	}
}
