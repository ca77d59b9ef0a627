package loader

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestResolvePlainScalarYAML11(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{"yes", true}, {"Yes", true}, {"YES", true}, {"y", true}, {"Y", true},
		{"on", true}, {"On", true}, {"ON", true}, {"true", true}, {"True", true}, {"TRUE", true},
		{"no", false}, {"No", false}, {"NO", false}, {"n", false}, {"N", false},
		{"off", false}, {"Off", false}, {"OFF", false}, {"false", false}, {"False", false}, {"FALSE", false},
		// Mixed case spellings are not booleans in yaml.v2.
		{"yES", "yES"}, {"oN", "oN"}, {"tRUE", "tRUE"},
		{"~", nil}, {"null", nil}, {"Null", nil}, {"NULL", nil}, {"", nil},
		{"nULL", "nULL"},
		{"0x1F", int64(31)}, {"017", int64(15)}, {"0o17", int64(15)}, {"0b101", int64(5)},
		{"1_000", int64(1000)}, {"-7", int64(-7)}, {"+5", int64(5)}, {"0", int64(0)},
		{"12345678901234567890", uint64(12345678901234567890)},
		{"123456789012345678901234", 1.2345678901234568e+23},
		{"1.50", 1.5}, {"8.10", 8.1}, {".5", 0.5}, {"1e3", 1000.0}, {"-1.5e-3", -0.0015},
		{"08", 8.0}, {"1.", 1.0},
		{".inf", math.Inf(1)}, {".Inf", math.Inf(1)}, {"+.inf", math.Inf(1)}, {"-.INF", math.Inf(-1)},
		{"2024-01-01", "2024-01-01"}, {"2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"},
		{"1.0.2", "1.0.2"}, {"^8.10", "^8.10"}, {"-", "-"}, {".foo", ".foo"}, {"+Inf", "+Inf"},
		{"hello", "hello"}, {"yellow", "yellow"},
	}
	for _, c := range cases {
		got := resolvePlainScalar(c.in)
		if !sameScalar(got, c.want) {
			t.Errorf("resolvePlainScalar(%q) = %#v, want %#v", c.in, got, c.want)
		}
	}
	if v, ok := resolvePlainScalar(".nan").(float64); !ok || !math.IsNaN(v) {
		t.Errorf(".nan resolved to %#v", resolvePlainScalar(".nan"))
	}
}

func sameScalar(a, b any) bool {
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && (fa == fb)
	}
	return a == b
}

// treeJSON parses a manifest document and renders it as JSON for easy
// comparison (maps with sorted keys).
func treeJSON(t *testing.T, doc string) string {
	t.Helper()
	tree, err := parseYAML("manifest.yml", []byte(doc))
	if err != nil {
		t.Fatalf("parseYAML: %v", err)
	}
	b, err := json.Marshal(plainTree(tree))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// plainTree converts a tree into maps and slices, keeping empty maps.
func plainTree(v any) any {
	switch t := v.(type) {
	case *yamlMap:
		m := map[string]any{}
		for _, k := range t.keys {
			m[k] = plainTree(t.vals[k])
		}
		return m
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plainTree(e)
		}
		return out
	}
	return v
}

func TestParseYAMLTree(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"dotted key", "a.b: 1", `{"a":{"b":1}}`},
		{"dotted keys merge with siblings", "a.b: 1\na: {c: 2}", `{"a":{"b":1,"c":2}}`},
		{"sibling first", "a: {c: 2}\na.b: 1", `{"a":{"b":1,"c":2}}`},
		{"deep dotted merge", "a.b.c: 1\na.b: {d: 2}\na: {b: {e: 3}}", `{"a":{"b":{"c":1,"d":2,"e":3}}}`},
		{"dotted inside nested maps", "x: {p: {k.l.m: v}}", `{"x":{"p":{"k":{"l":{"m":"v"}}}}}`},
		{"dotted inside lists", "x: [{a.b: 1}]", `{"x":[{"a":{"b":1}}]}`},
		{"duplicate key last wins", "a: {b: 1}\na: {c: 2}", `{"a":{"c":2}}`},
		{"duplicate scalar", "a: 1\na: 2", `{"a":2}`},
		{"top-level bool-like key is text", "y: 1\non: 2\n1: 3", `{"1":3,"on":2,"y":1}`},
		{"quoted nested keys", `a: {"n": 1, 'on': 2}`, `{"a":{"n":1,"on":2}}`},
		{"quoted scalars stay strings", `a: "yes"` + "\nb: '017'\nc: \"~\"", `{"a":"yes","b":"017","c":"~"}`},
		{"block scalars", "a: |\n  x\n  y\nb: >-\n  x\n  y\n", `{"a":"x\ny\n","b":"x y"}`},
		{"empty values are null", "a:\nb: ~\nc: [~, 1]", `{"a":null,"b":null,"c":[null,1]}`},
		{"empty map kept in tree", "a: {}", `{"a":{}}`},
		{"anchors and aliases", "a: &x {k: v}\nb: *x", `{"a":{"k":"v"},"b":{"k":"v"}}`},
		{"merge key", "base: &b {k: 1, l: 2}\nx:\n  <<: *b\n  l: 3", `{"base":{"k":1,"l":2},"x":{"k":1,"l":3}}`},
		{"merge list earlier wins", "a: &a {k: 1}\nb: &b {k: 2, m: 2}\nx: {<<: [*a, *b]}", `{"a":{"k":1},"b":{"k":2,"m":2},"x":{"k":1,"m":2}}`},
		{"explicit str tag", "a: !!str 123\nb: !!str yes", `{"a":"123","b":"yes"}`},
		{"explicit float tag", "a: !!float 1", `{"a":1}`},
		{"explicit int tag", "a: !!int 0x10", `{"a":16}`},
		{"custom tag keeps text", "a: !foo 12", `{"a":"12"}`},
		{"templates are not expanded", `a: "c: ${var}"`, `{"a":"c: ${var}"}`},
		{"empty document", "", `null`},
		{"comment only", "# nothing\n", `null`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := treeJSON(t, c.doc); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestParseYAMLErrors(t *testing.T) {
	cases := []struct {
		name, doc, prefix string
	}{
		{"nested bool key", "default: {n: \"y\"}", "(assert) string key required when merging into 'map[interface {}]interface {}' accessing config\n"},
		{"nested on key", "default: {on: 1}", "(assert) string key required"},
		{"nested int key", "a: {1: x}", "(assert) string key required"},
		{"nested null key", "a: {~: x}", "(assert) string key required"},
		{"syntax error", "a: [1, 2\nb: c", "yaml: line"},
		{"bad explicit int", "a: !!int abc", "yaml: line 1: cannot decode"},
		{"mapping as key", "? {a: 1}\n: x", "yaml: line 1: invalid map key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseYAML("manifest.yml", []byte(c.doc))
			if err == nil || !strings.HasPrefix(err.Error(), c.prefix) {
				t.Fatalf("error %v, want prefix %q", err, c.prefix)
			}
		})
	}
}

func TestParseYAMLMappingRejectsOtherDocuments(t *testing.T) {
	for _, doc := range []string{"- a\n- b\n", "just text\n"} {
		if _, err := parseYAMLMapping("manifest.yml", []byte(doc)); err == nil || !strings.Contains(err.Error(), "cannot unmarshal") {
			t.Errorf("%q: error %v", doc, err)
		}
	}
	m, err := parseYAMLMapping("manifest.yml", nil)
	if err != nil || len(m.keys) != 0 {
		t.Errorf("empty document: %v %v", m, err)
	}
}

func TestParsePlainYAMLKeepsKeys(t *testing.T) {
	tree, err := parsePlainYAML("fields.yml", []byte("- name: a.b\n  on: 1\n  x.y: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(plainTree(tree))
	if want := `[{"name":"a.b","on":1,"x.y":2}]`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

// TestParseYAMLAliasBomb checks that nested aliases cannot expand without
// bound ("billion laughs").
func TestParseYAMLAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("a")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(": &a")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(" [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a")
			b.WriteString(string(rune('0' + i - 1)))
		}
		b.WriteString("]\n")
	}
	_, err := parseYAML("manifest.yml", []byte(b.String()))
	if !errors.Is(err, errYAMLTooLarge) {
		t.Fatalf("error %v, want %v", err, errYAMLTooLarge)
	}
	// The same structure three levels deep is fine.
	if _, err := parseYAML("manifest.yml", []byte("a0: &a0 [x, x]\na1: &a1 [*a0, *a0]\na2: [*a1, *a1]\n")); err != nil {
		t.Fatal(err)
	}
}

func TestParseYAMLRecursiveAliases(t *testing.T) {
	for _, doc := range []string{
		"a: &a [*a]\n",
		"a: &a {b: *a}\n",
		"a: &a {<<: *a}\n",
		"a: &a {b: {<<: [*a]}}\n",
	} {
		_, err := parseYAML("manifest.yml", []byte(doc))
		if err == nil || !strings.Contains(err.Error(), "anchor 'a' value contains itself") {
			t.Errorf("%q: error %v", doc, err)
		}
	}
	// Reusing an anchor in siblings is fine.
	if got := treeJSON(t, "a: &a {k: 1}\nb: [*a, *a]\n"); got != `{"a":{"k":1},"b":[{"k":1},{"k":1}]}` {
		t.Errorf("got %s", got)
	}
}
