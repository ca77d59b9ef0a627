package packages

import (
	"errors"
	"strings"
	"testing"
)

func TestLoadCacheRemembersOnlyPasses(t *testing.T) {
	c := NewLoadCache()
	runs := 0
	pass := func() error { runs++; return nil }
	fail := func() error { runs++; return errors.New("bad") }

	k := keyOf("kind", []byte("content"))
	for range 3 {
		if err := c.check(k, pass); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 1 {
		t.Errorf("a passing check ran %d times, want 1", runs)
	}
	runs = 0
	bad := keyOf("kind", []byte("other content"))
	for range 2 {
		if err := c.check(bad, fail); err == nil || err.Error() != "bad" {
			t.Fatalf("failing check: %v", err)
		}
	}
	if runs != 2 {
		t.Errorf("a failing check ran %d times, want 2", runs)
	}
	var none *LoadCache
	runs = 0
	_ = none.check(k, pass)
	_ = none.check(k, pass)
	if runs != 2 {
		t.Errorf("a nil cache skipped a check")
	}
}

// Keys are length-prefixed: moving bytes between parts, or between the
// kind and the parts, gives another key.
func TestLoadCacheKeys(t *testing.T) {
	keys := []contentKey{
		keyOf("a", []byte("bc")),
		keyOf("ab", []byte("c")),
		keyOf("a", []byte("b"), []byte("c")),
		keyOf("a", []byte("bc"), nil),
		keyOf("b", []byte("bc")),
	}
	for i := range keys {
		for j := range i {
			if keys[i] == keys[j] {
				t.Errorf("keys %d and %d collide", i, j)
			}
		}
	}
}

// Within one load, a data stream whose fields files equal those of a
// package already validated skips the parsing, and one whose files differ
// is still checked: the broken package fails with its own error, every
// time.
func TestLoadCacheInPackages(t *testing.T) {
	ds := `title: Logs
type: logs
streams:
  - input: logfile
    title: Logs
`
	good := merge(minimalFiles(), validDataStream("logs", ds))
	broken := merge(good, map[string]string{
		"data_stream/logs/fields/base-fields.yml": "- name: data_stream.type\n  type: keyword\n",
	})
	cache := NewLoadCache()
	for range 2 {
		if _, err := LoadPackage(writePackageDir(t, "1.0.0", good), LoadOptions{Cache: cache}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(cache.passed); n != 1 {
		t.Errorf("cache holds %d passed checks, want the fields check only", n)
	}
	for range 2 {
		_, err := LoadPackage(writePackageDir(t, "1.0.0", broken), LoadOptions{Cache: cache})
		if err == nil || !strings.Contains(err.Error(), "wrong field type for 'data_stream.type'") {
			t.Fatalf("broken fields: %v", err)
		}
	}
}
