package loader

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// countYAMLNodes counts the nodes the parser built, the document node
// included and aliases counted once (not followed).
func countYAMLNodes(n *yaml.Node) int {
	count := 1
	for _, c := range n.Content {
		count += countYAMLNodes(c)
	}
	return count
}

// boundHolds checks yamlNodeBound against the parser on one document it
// accepts; documents it refuses are skipped (their nodes cannot be seen).
func boundHolds(t *testing.T, doc string) bool {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		return false
	}
	if got, bound := countYAMLNodes(&n), yamlNodeBound([]byte(doc)); got > bound {
		t.Errorf("%q: %d nodes, bound %d", doc, got, bound)
	}
	return true
}

// TestYAMLNodeBound: the count made before parsing is never below what the
// parser builds, so refusing on it never refuses a document within the
// limit, and what passes it is bounded.
func TestYAMLNodeBound(t *testing.T) {
	for _, doc := range []string{
		"", "a", "a: b", "a:", "- a", "-", "? a", "? a\n: b",
		"[a]", "[]", "{}", "{a}", "{a, b}", "{a, b, }", "{a: b}", "{? a}", "{\"a\":b}",
		"[a: b]", "[a: b, c]", "[? a]", "[? a : b]",
		"[[]:[]]", "[a,]", "[[[[a]]]]", "{a: {b: {c: [d, {e}]}}}", "[[a], b, c, d]", "{a: {b}, c, d}",
		"x: &x {k: v}\ny: [*x:b, *x:b, *x]", "a: &a [1]\nb: [*a:b, *a]",
		"[\"a\":b, \"c\":d]", "x: &x a\ny: [*x:b]", "[\"a\":\"b\", 'c':[d]]",
		// Closing brackets that are text for the parser.
		"[a, \"]]]\", a, a, a]", "[a, ']]}', a, a]", "[a, # ]]\n a, a, a]", "[!t]] a, a, a]",
		"{a: 'x]', b, c}", "x: see ]\ny: [a, \"]\", b, c]", "[a'], b, c]",
		"- - - a", "- a: b\n  c: d\n- e", "a:\n  b:\n    c:\n      d: e",
		"--- a\n--- [b, c, d]\n", "%YAML 1.1\n--- {a, b}", "a: !!str b\nc: !foo {d}",
		"a: |\n  - b: [c, d]\n", "a: >-\n  x, y\n  z\n", "# - a: [b, c]\na: b",
		"a: 'b, c: d'\n", "a: \"[x\"\n", "a: b # c, d\n",
		"key: [\"x\":y, 'z':w]", "{[a]: b, {c}: d}", "? [a, b]\n: {c: d}",
	} {
		if !boundHolds(t, doc) {
			t.Errorf("%q: the parser refuses it, pick a valid document", doc)
		}
	}

	// Random documents from YAML's pieces: many are refused by the
	// parser, the others must stay within the bound.
	pieces := []string{"a", "bb", "*x", "&x ", "!!str ", "'q'", "\"q\"", "[", "]", "{", "}",
		",", ":", ": ", "- ", "? ", "\n", "  ", "\n  ", "|\n  t\n", "#c\n", "-", "?", "x:y",
		"']'", "\"}\"", " # ]\n", "!t]", "!a[", "a,b", "'", "\"", " #", "a]"}
	rng := rand.New(rand.NewPCG(12, 9))
	parsed := 0
	for range 50000 {
		var b strings.Builder
		b.WriteString("x: &x a\ny: ")
		for range 1 + rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		if boundHolds(t, b.String()) {
			parsed++
		}
	}
	if parsed < 3000 {
		t.Errorf("only %d random documents parsed: the check checks little", parsed)
	}
}

// denseFieldsFile is a fields file of n fields with descriptions, as real
// packages write them.
func denseFieldsFile(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "- name: process.field_%d\n  type: keyword\n  description: >\n    Full command line that started the process, including the absolute\n    path to the executable, and all arguments.\n  example: /usr/bin/ssh -l user 10.0.0.16\n", i)
	}
	return b.String()
}

// TestHostileYAMLLimits: documents past the node or depth limits are
// refused with the registry's message, naming the file, before the parser
// spends the memory (a 3.7 MiB "[a,a,...]" took 400 MiB), and documents
// just within them load.
func TestHostileYAMLLimits(t *testing.T) {
	nested := func(levels int) string {
		var b strings.Builder
		for i := range levels {
			fmt.Fprintf(&b, "%s k%d:\n", strings.Repeat(" ", i%2), i)
		}
		return b.String()
	}
	// dotted writes keys unique keys of parts parts: each part is a
	// mapping once expanded.
	dotted := func(keys, parts int) string {
		var b strings.Builder
		for i := range keys {
			fmt.Fprintf(&b, " k%d%s:\n", i, strings.Repeat(".a", parts-1))
		}
		return b.String()
	}
	// Nine mappings of ten keys, each value an alias of the previous
	// mapping: 10^9 nodes once expanded.
	tenKeys := func(v string) string {
		keys := make([]string, 10)
		for k := range keys {
			keys[k] = fmt.Sprintf("k%d: %s", k, v)
		}
		return "{" + strings.Join(keys, ", ") + "}"
	}
	laughs := "a0: &a0 " + tenKeys("1") + "\n"
	for i := 1; i < 9; i++ {
		laughs += fmt.Sprintf("a%d: &a%d %s\n", i, i, tenKeys(fmt.Sprintf("*a%d", i-1)))
	}
	fields := "data_stream/logs/fields/fields.yml"
	cases := []struct {
		name  string
		files map[string]string
		err   string // empty: loads
	}{
		{"dense flow sequence", map[string]string{"manifest.yml": minimalManifest + "vars: [" + strings.Repeat("a,", 1900000) + "a]\n"},
			"manifest.yml: yaml: document too large"},
		{"dense flow mapping", map[string]string{"manifest.yml": minimalManifest + "vars: {" + strings.Repeat("a,", 1900000) + "a}\n"},
			"manifest.yml: yaml: document too large"},
		{"dense block sequence", map[string]string{"manifest.yml": minimalManifest + "vars:\n" + strings.Repeat("-\n", 1900000)},
			"manifest.yml: yaml: document too large"},
		{"many small mappings", map[string]string{"manifest.yml": minimalManifest + "vars:\n" + nested(300000)},
			"manifest.yml: yaml: document too large"},
		{"dotted keys", map[string]string{"manifest.yml": minimalManifest + "vars:\n" + dotted(3000, 490)},
			"manifest.yml: yaml: document too large"},
		{"mapping aliases", map[string]string{"manifest.yml": minimalManifest + laughs},
			"manifest.yml: yaml: document too large"},
		{"flow nesting past the parser's limit", map[string]string{"manifest.yml": minimalManifest + "vars: " +
			strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"},
			"manifest.yml: yaml: document too deep"},
		{"block nesting past the parser's limit", map[string]string{"manifest.yml": minimalManifest + "vars:\n" +
			strings.Repeat("- ", 20000) + "a\n"},
			"manifest.yml: yaml: document too deep"},
		{"dense fields file", merge(validDataStream("logs", "title: Logs\ntype: logs\n"),
			map[string]string{fields: strings.Repeat("- name: a\n", 200000)}),
			fields + ": yaml: document too large"},
		{"fields file of 12,000 fields", merge(validDataStream("logs", "title: Logs\ntype: logs\n"),
			map[string]string{fields: denseFieldsFile(12000)}), ""},
		{"manifest of 40,000 list entries", map[string]string{"manifest.yml": minimalManifest + "categories:\n" +
			strings.Repeat("- custom\n", 40000)}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writePackageDir(t, "1.0.0", merge(minimalFiles(), c.files))
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Load(dir, Options{})
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %d MiB", allocated>>20)
			if c.err == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), "exceeded max depth") {
				t.Fatalf("error %v, want %q", err, c.err)
			}
			// The peak of the heap cannot pass what was allocated.
			if allocated > 64<<20 {
				t.Errorf("refusing it allocated %d MiB", allocated>>20)
			}
		})
	}
}
