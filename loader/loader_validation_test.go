package loader

import (
	"strings"
	"testing"
)

const dsManifest = "title: DS\ntype: logs\n"

// TestLoadPackageValidation runs every validation rule with validation on
// and off. wantOn/wantOff are the exact error messages ("" = loads); a
// trailing "*" means "starts with". "{loc}" stands for the package path.
func TestLoadPackageValidation(t *testing.T) {
	m := func(repl ...string) map[string]string {
		return map[string]string{"manifest.yml": strings.NewReplacer(repl...).Replace(minimalManifest)}
	}
	cases := []struct {
		name    string
		version string // version directory, default 1.0.0
		files   map[string]string
		wantOn  string
		wantOff string
	}{
		{name: "valid", files: nil},
		{name: "missing manifest", files: map[string]string{"manifest.yml": ""},
			wantOn: "open manifest.yml: no such file or directory", wantOff: "open manifest.yml: no such file or directory"},
		{name: "yaml syntax error", files: map[string]string{"manifest.yml": "name: [a\n"},
			wantOn: "yaml: line*", wantOff: "yaml: line*"},
		{name: "missing format_version", files: m("format_version: 3.0.0\n", ""),
			wantOn: "no format_version set: &{*", wantOff: ""},
		{name: "invalid format_version", files: m("format_version: 3.0.0", `format_version: "1.0"`),
			wantOn:  "invalid package version: 1.0, invalid semantic version accessing config",
			wantOff: "invalid format spec version '1.0': invalid semantic version"},
		{name: "invalid version", files: m("version: 1.0.0", "version: 1.0"),
			wantOn: "invalid semantic version accessing config", wantOff: "invalid package version: invalid semantic version"},
		{name: "v-prefixed version", files: m("version: 1.0.0", "version: v1.0.0"),
			wantOn: "invalid characters in version accessing config", wantOff: "invalid package version: invalid characters in version"},
		{name: "missing title", files: m("title: Test\n", ""),
			wantOn: "no title set for package: t accessing config", wantOff: ""},
		{name: "empty title", files: m("title: Test", `title: ""`),
			wantOn: "no title set for package: t accessing config", wantOff: ""},
		{name: "missing description", files: m("description: A test package.\n", ""),
			wantOn: "no description set accessing config", wantOff: ""},
		{name: "missing icon file", files: m("name: t", "name: t\nicons: [{src: /img/nope.svg}]"),
			wantOn: "stat img/nope.svg: no such file or directory accessing config", wantOff: ""},
		{name: "missing screenshot file", files: merge(m("name: t", "name: t\nicons: [{src: /img/a.svg}]\nscreenshots: [{src: img/s.png}]"), map[string]string{"img/a.svg": "x"}),
			wantOn: "stat img/s.png: no such file or directory accessing config", wantOff: ""},
		{name: "policy template icons not checked", files: m("name: t", "name: t\npolicy_templates: [{name: a, title: b, description: c, icons: [{src: nope.svg}]}]")},
		{name: "version does not match directory", files: m("version: 1.0.0", "version: 1.0.1"),
			wantOn:  "version in manifest file is not consistent with path: inconsistent versions (path: 1.0.0, manifest: 1.0.1) accessing config",
			wantOff: ""},
		{name: "build metadata ignored in directory check", version: "1.0.0+build", files: m("version: 1.0.0", "version: 1.0.0+other")},
		{name: "non-version directory is not checked", version: "current", files: nil},
		{name: "input without type or package", files: m("name: t", "name: t\npolicy_templates: [{name: pt, title: b, description: c, inputs: [{title: In}]}]"),
			wantOn: "input In in policy template pt must have a type or package accessing config", wantOff: ""},
		{name: "input with type and package", files: m("name: t", "name: t\npolicy_templates: [{name: pt, title: b, description: c, inputs: [{type: x, package: y}]}]"),
			wantOn: "input  in policy template pt must have a type or package, but not both accessing config", wantOff: ""},
		{name: "policy template name required", files: m("name: t", "name: t\npolicy_templates: [{title: b, description: c}]"),
			wantOn: "string value is not set accessing 'policy_templates.0.name'", wantOff: "string value is not set accessing 'policy_templates.0.name'"},
		{name: "invalid package release", files: m("name: t", "name: t\nrelease: stable"),
			wantOn: `invalid release: "stable"`, wantOff: `invalid release: "stable"`},
		{name: "agentless release experimental", files: m("name: t", "name: t\npolicy_templates: [{name: pt, title: b, description: c, deployment_modes: {agentless: {enabled: true, release: experimental}}}]"),
			wantOn: `policy template "pt": invalid agentless release: "experimental"`, wantOff: `policy template "pt": invalid agentless release: "experimental"`},
		{name: "agentless release ga", files: m("name: t", "name: t\npolicy_templates: [{name: pt, title: b, description: c, deployment_modes: {agentless: {enabled: true, release: ga}}}]")},
		{name: "policy template readme is a directory", files: merge(m("name: t", "name: t\npolicy_templates: [{name: pt, title: b, description: c}]"), map[string]string{"docs/pt.md/": "dir"}),
			wantOn: "pt.md is a directory", wantOff: "pt.md is a directory"},
		{name: "missing readme", files: map[string]string{"docs/README.md": ""},
			wantOn: "no readme file found, README.md is required: stat docs/README.md: no such file or directory", wantOff: "no readme file found, README.md is required: stat docs/README.md: no such file or directory"},
		{name: "readme is a directory", files: map[string]string{"docs/README.md": "", "docs/README.md/": "dir"},
			wantOn: "README.md is a directory", wantOff: "README.md is a directory"},
		{name: "invalid kibana constraint", files: m("name: t", "name: t\nconditions: {kibana: {version: 'abc'}}"),
			wantOn: "invalid Kibana versions range abc: improper constraint: \"abc\"", wantOff: "invalid Kibana versions range abc: improper constraint: \"abc\""},
		{name: "empty kibana condition", files: m("name: t", "name: t\nconditions: {kibana: {}}"),
			wantOn: `invalid Kibana versions range : improper constraint: ""`, wantOff: `invalid Kibana versions range : improper constraint: ""`},
		{name: "invalid agent constraint", files: m("name: t", "name: t\nconditions: {agent.version: '>>1'}"),
			wantOn: "invalid Agent versions range >>1: improper constraint: \">>1\"", wantOff: "invalid Agent versions range >>1: improper constraint: \">>1\""},
		{name: "dash in a directory name", files: map[string]string{"kibana/my-dir/x.json": "{}"},
			wantOn:  "loading package assets failed (path '{loc}'): directory name inside package t contains -: kibana/my-dir",
			wantOff: "loading package assets failed (path '{loc}'): directory name inside package t contains -: kibana/my-dir"},
		{name: "dash in a file name is fine", files: map[string]string{"kibana/dashboard/t-overview.json": "{}"}},
		{name: "string key required in free-form maps", files: m("name: t", "name: t\nvars: [{name: v, default: {n: \"y\"}}]"),
			wantOn: "(assert) string key required when merging into 'map[interface {}]interface {}' accessing config\n*", wantOff: "(assert) string key required*"},

		// Data streams.
		{name: "data stream valid", files: validDataStream("ds", dsManifest)},
		{name: "data stream type not valid", files: validDataStream("ds", "title: DS\ntype: events\n"),
			wantOn: "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: type is not valid: events accessing config accessing config", wantOff: ""},
		{name: "data stream title required", files: validDataStream("ds", "type: logs\n"),
			wantOn:  "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: string value is not set accessing 'title' accessing config",
			wantOff: "loading package data streams failed (path '{loc}'): error building data stream (path: ds) in package: t: string value is not set accessing 'title'"},
		{name: "data stream type required", files: validDataStream("ds", "title: DS\n"),
			wantOn:  "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: string value is not set accessing 'type' accessing config",
			wantOff: "loading package data streams failed (path '{loc}'): error building data stream (path: ds) in package: t: string value is not set accessing 'type'"},
		{name: "explicit dataset with dash", files: validDataStream("ds", dsManifest+"dataset: my-ds\n"),
			wantOn: "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: data stream name is not allowed to contain `-`: my-ds accessing config accessing config", wantOff: ""},
		{name: "directory name with dash", files: validDataStream("my-ds", dsManifest),
			wantOn:  "validating data stream failed (path: data_stream/my-ds): data stream name is not allowed to contain `-`: t.my-ds accessing config",
			wantOff: "loading package assets failed (path '{loc}'): directory name inside package t contains -: data_stream/my-ds"},
		{name: "invalid data stream release", files: validDataStream("ds", dsManifest+"release: stable\n"),
			wantOn:  `building data stream failed (path: data_stream/ds): invalid release: "stable" accessing config`,
			wantOff: `loading package data streams failed (path '{loc}'): invalid release: "stable"`},
		{name: "unused pipelines", files: merge(validDataStream("ds", dsManifest), map[string]string{
			"data_stream/ds/elasticsearch/ingest_pipeline/b.json": "{}", "data_stream/ds/elasticsearch/ingest_pipeline/a.yml": "{}"}),
			wantOn:  "building data stream failed (path: data_stream/ds): unused pipelines in the package (dataset: t.ds): data_stream/ds/elasticsearch/ingest_pipeline/a.yml,data_stream/ds/elasticsearch/ingest_pipeline/b.json accessing config",
			wantOff: "loading package data streams failed (path '{loc}'): unused pipelines in the package (dataset: t.ds): data_stream/ds/elasticsearch/ingest_pipeline/a.yml,data_stream/ds/elasticsearch/ingest_pipeline/b.json"},
		{name: "yaml default pipeline is not recognised", files: merge(validDataStream("ds", dsManifest), map[string]string{
			"data_stream/ds/elasticsearch/ingest_pipeline/default.yaml": "{}"}),
			wantOn:  "building data stream failed (path: data_stream/ds): unused pipelines in the package (dataset: t.ds): data_stream/ds/elasticsearch/ingest_pipeline/default.yaml accessing config",
			wantOff: "loading package data streams failed (path '{loc}'): unused pipelines in the package (dataset: t.ds): data_stream/ds/elasticsearch/ingest_pipeline/default.yaml"},
		{name: "pipeline name alone cannot reference a pipeline", files: merge(validDataStream("ds", dsManifest+"elasticsearch: {ingest_pipeline.name: foo}\n"), map[string]string{
			"data_stream/ds/elasticsearch/ingest_pipeline/foo.yml": "{}"}),
			wantOn:  "building data stream failed (path: data_stream/ds): unused pipelines in the package (dataset: t.ds): data_stream/ds/elasticsearch/ingest_pipeline/foo.yml accessing config",
			wantOff: "loading package data streams failed (path '{loc}'): unused pipelines in the package (dataset: t.ds): data_stream/ds/elasticsearch/ingest_pipeline/foo.yml"},
		{name: "defined pipeline does not exist", files: validDataStream("ds", dsManifest+"ingest_pipeline: nope\n"),
			wantOn: "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: defined ingest_pipeline does not exist: data_stream/ds/elasticsearch/ingest_pipelinenope accessing config accessing config", wantOff: ""},
		{name: "invalid JSON pipeline", files: merge(validDataStream("ds", dsManifest+"ingest_pipeline: p\n"), map[string]string{
			"data_stream/ds/elasticsearch/ingest_pipeline/p.json": "[1]"}),
			wantOn: "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: validating ingest pipeline JSON file failed (path: data_stream/ds/elasticsearch/ingest_pipeline/p.json): json: cannot unmarshal array into Go value of type map[string]interface {} accessing config accessing config", wantOff: ""},
		{name: "invalid YAML pipeline reports the json path", files: merge(validDataStream("ds", dsManifest+"ingest_pipeline: p\n"), map[string]string{
			"data_stream/ds/elasticsearch/ingest_pipeline/p.yml": "a: [1\n"}),
			wantOn: "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: validating ingest pipeline YAML file failed (path: data_stream/ds/elasticsearch/ingest_pipeline/p.json): yaml: line*", wantOff: ""},
		{name: "missing fields directory", files: map[string]string{"data_stream/ds/manifest.yml": dsManifest},
			wantOn: "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: validating required fields failed: finding field failed (searchedName: data_stream.type): failed to find fields array: field 'data_stream' not found accessing config accessing config", wantOff: ""},
		{name: "missing timestamp field", files: map[string]string{"data_stream/ds/manifest.yml": dsManifest,
			"data_stream/ds/fields/f.yml": "- {name: data_stream.type, type: constant_keyword}\n- {name: data_stream.dataset, type: constant_keyword}\n- {name: data_stream.namespace, type: constant_keyword}\n"},
			wantOn: "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: validating required fields failed: finding field failed (searchedName: @timestamp): field '@timestamp' not found accessing config accessing config", wantOff: ""},
		{name: "wrong field type", files: merge(validDataStream("ds", dsManifest), map[string]string{
			"data_stream/ds/fields/base-fields.yml": "- {name: data_stream.type, type: constant_keyword}\n- {name: data_stream.dataset, type: constant_keyword}\n- {name: data_stream.namespace, type: constant_keyword}\n- {name: '@timestamp', type: keyword}\n"}),
			wantOn: "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: validating required fields failed: wrong field type for '@timestamp' (expected: date, got: keyword) accessing config accessing config", wantOff: ""},
		{name: "ECS style nested fields", files: map[string]string{"data_stream/ds/manifest.yml": dsManifest,
			"data_stream/ds/fields/a.yml": "- name: data_stream\n  type: group\n  fields:\n    - {name: type, type: constant_keyword}\n    - {name: dataset, type: constant_keyword}\n    - {name: namespace, type: constant_keyword}\n",
			"data_stream/ds/fields/b.yml": "- {name: '@timestamp', type: date}\n"}},
		{name: "stream without input or package", files: validDataStream("ds", dsManifest+"streams: [{title: S}]\n"),
			wantOn: "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: stream S must have a input or package accessing config accessing config", wantOff: ""},
		{name: "stream with input and package", files: validDataStream("ds", dsManifest+"streams: [{input: a, package: b}]\n"),
			wantOn: "building data stream failed (path: data_stream/ds): error building data stream (path: ds) in package: t: stream  must have a input or package, but not both accessing config accessing config", wantOff: ""},
	}
	for _, c := range cases {
		for _, disable := range []bool{false, true} {
			want := c.wantOn
			name := c.name + "/validation on"
			if disable {
				want, name = c.wantOff, c.name+"/validation off"
			}
			t.Run(name, func(t *testing.T) {
				version := c.version
				if version == "" {
					version = "1.0.0"
				}
				dir := writePackageDir(t, version, merge(minimalFiles(), c.files))
				p, err := Load(dir, Options{DisableValidation: disable})
				want = strings.ReplaceAll(want, "{loc}", dir)
				switch {
				case want == "" && err != nil:
					t.Fatalf("unexpected error: %v", err)
				case want == "":
					if p.SemVer == nil || p.BasePath != dir || p.IsZip {
						t.Errorf("runtime not set: %+v", p.Runtime)
					}
				case err == nil:
					t.Fatalf("loaded, want error %q", want)
				case strings.HasSuffix(want, "*"):
					if !strings.HasPrefix(err.Error(), strings.TrimSuffix(want, "*")) {
						t.Fatalf("error:\n%v\nwant prefix:\n%s", err, want)
					}
				case err.Error() != want:
					t.Fatalf("error:\n%v\nwant:\n%s", err, want)
				}
			})
		}
	}
}
