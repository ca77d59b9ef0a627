package loader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

var manifestSeeds = []string{
	minimalManifest,
	"",
	"[]",
	"name: t\nversion: 1.0.0\n",
	"a: &a [x, *a]\n",
	"a: &a {b: 1}\nc: {<<: *a, d: 2}\n",
	"a.b.c: 1\na: {b: {d: 2}}\n",
	"vars:\n  - name: v\n    type: text\n    default: {on: 1}\n",
	"vars:\n  - name: v\n    default: .inf\n",
	"? a.b\n: !!binary aGVsbG8=\n",
	"x: !!int 0x_1F\ny: !!float 1e400\nz: !!null ~\nw: !!bool Y\n",
	"policy_templates:\n  - name: p\n    title: P\n    description: d\n    inputs: [{type: logs, title: L, description: d}]\n",
	"conditions.kibana.version: '^8.0.0 || 7.x'\nconditions.elastic.subscription: gold\n",
	"categories: [web, nope, ~, 1]\nicons: [{src: /img/a.svg}]\n",
	"format_version: 3.0.0\nname: t\ntitle: T\nversion: 1.0.0-rc1\ndescription: d\nowner.github: o\ntype: input\nrelease: experimental\n",
}

// FuzzManifest parses and decodes a manifest the way the loader does:
// whatever the bytes, it ends in an error or in a package that can be
// initialised and rendered as JSON (an encoding error is allowed: upstream
// answers 500 for such packages).
func FuzzManifest(f *testing.F) {
	for _, s := range manifestSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, err := parseYAMLMapping("manifest.yml", data)
		if err != nil {
			return
		}
		d := &decoder{}
		p := decodePackage(d, node{m: tree})
		if d.err != nil {
			return
		}
		if err := p.InitRuntime(); err != nil {
			return
		}
		_, _ = packages.MarshalIndentJSON(p)
		_, _ = packages.SearchItemJSON(p)
		_ = packages.CountCategories(packages.Packages{p}, true)
		// The other two parsers the loader uses on package files.
		_, _ = parsePlainYAML("fields.yml", data)
		_, _ = parseFieldDefs("fields.yml", data)
	})
}

// FuzzLoadPackage runs the whole loader on a directory package whose
// manifest, data stream manifest and fields file are fuzzed.
func FuzzLoadPackage(f *testing.F) {
	ds := "title: Logs\ntype: logs\nstreams:\n  - input: logfile\n    title: L\n    description: d\n"
	fields := validDataStream("logs", "")["data_stream/logs/fields/base-fields.yml"]
	for _, s := range manifestSeeds {
		f.Add([]byte(s), []byte(ds), []byte(fields))
	}
	f.Add([]byte(minimalManifest), []byte("ingest_pipeline: default\n"), []byte("- name: x\n  fields: [{name: y}]\n"))
	f.Fuzz(func(t *testing.T, manifest, dataStream, fieldsFile []byte) {
		dir := filepath.Join(t.TempDir(), "t", "1.0.0")
		files := map[string][]byte{
			"manifest.yml":                    manifest,
			"docs/README.md":                  []byte("# t\n"),
			"data_stream/logs/manifest.yml":   dataStream,
			"data_stream/logs/fields/f.yml":   fieldsFile,
			"data_stream/logs/elasticsearch/": nil,
		}
		for name, content := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if strings.HasSuffix(name, "/") {
				os.MkdirAll(p, 0o755)
				continue
			}
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, validate := range []bool{true, false} {
			p, err := Load(dir, Options{DisableValidation: !validate})
			if err != nil {
				continue
			}
			if p.SemVer == nil || p.BasePath != dir {
				t.Fatalf("loaded package without runtime: %+v", p)
			}
			_, _ = packages.MarshalIndentJSON(p)
		}
	})
}
