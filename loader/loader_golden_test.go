package loader

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/loader/golden")

// TestLoadPackageGolden loads the fixture packages and compares their
// /package document with reviewed golden files.
func TestLoadPackageGolden(t *testing.T) {
	cases := []struct {
		dir, golden string
	}{
		{"testdata/loader/full/1.2.3", "full-1.2.3.json"},
		{"testdata/loader/input/0.3.0", "input-0.3.0.json"},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			p, err := Load(c.dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := packages.MarshalIndentJSON(p)
			if err != nil {
				t.Fatal(err)
			}
			assertGolden(t, filepath.Join("testdata/loader/golden", c.golden), got)
		})
	}
}

func assertGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", file, got, want)
	}
}
