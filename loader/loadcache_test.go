package loader

import (
	"errors"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

func TestLoadCacheRemembersOnlyPasses(t *testing.T) {
	c := NewCache()
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
	var none *Cache
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
	cache := NewCache()
	for range 2 {
		if _, err := Load(writePackageDir(t, "1.0.0", good), Options{Cache: cache}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(cache.passed); n != 1 {
		t.Errorf("cache holds %d passed checks, want the fields check only", n)
	}
	for range 2 {
		_, err := Load(writePackageDir(t, "1.0.0", broken), Options{Cache: cache})
		if err == nil || !strings.Contains(err.Error(), "wrong field type for 'data_stream.type'") {
			t.Fatalf("broken fields: %v", err)
		}
	}
}

// Identical data stream manifests share one parsed tree, which decoding
// never changes: what a package does with its decoded values cannot reach
// the next package decoded from the same tree.
func TestLoadCacheSharesManifestTrees(t *testing.T) {
	data := []byte(`title: Logs
type: logs
elasticsearch:
  index_template.settings:
    index: {codec: best_compression}
streams:
  - input: logfile
    title: Logs
    vars:
      - name: paths
        type: text
        default: [/var/log/*.log]
      - name: opts
        type: yaml
        default: {a: {b: c}}
`)
	c := NewCache()
	a, err := c.mapping("manifest.yml", data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.mapping("manifest.yml", data)
	if err != nil || a != b {
		t.Fatalf("identical manifests parsed twice (%v)", err)
	}
	fresh := func(tree *yamlMap) string {
		d := &decoder{}
		ds := decodeDataStream(d, node{m: tree})
		if d.err != nil {
			t.Fatal(d.err)
		}
		out, err := packages.MarshalIndentJSON(ds)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	want := fresh(a)
	d := &decoder{}
	ds := decodeDataStream(d, node{m: a})
	ds.Streams[0].Vars[0].Default.V.([]any)[0] = "changed"
	ds.Streams[0].Vars[1].Default.V.(map[string]any)["a"].(map[string]any)["b"] = "changed"
	ds.Elasticsearch.IndexTemplateSettings["index"].(map[string]any)["codec"] = "changed"
	ds.Streams[0].Title = "changed"
	if got := fresh(b); got != want {
		t.Errorf("decoding again gives\n%s\nwant\n%s", got, want)
	}

	if _, err := c.mapping("manifest.yml", []byte("- not a mapping")); err == nil {
		t.Fatal("a list parsed as a mapping")
	}
	for i := range maxCachedTrees + 10 {
		if _, err := c.mapping("manifest.yml", []byte("title: t"+strings.Repeat("x", i))); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.trees) != maxCachedTrees || c.treeOrder.Len() != maxCachedTrees {
		t.Errorf("%d trees kept, want %d", len(c.trees), maxCachedTrees)
	}
}
