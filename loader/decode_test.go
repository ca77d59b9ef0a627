package loader

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

func decodeManifest(doc string) (*packages.Package, error) {
	tree, err := parseYAMLMapping("manifest.yml", []byte(doc))
	if err != nil {
		return nil, err
	}
	d := &decoder{}
	p := decodePackage(d, node{m: tree})
	return p, d.err
}

// compactJSON encodes v like the server does, on one line.
func compactJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := packages.MarshalIndentJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestDecodeCoercionAndNullRules(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		pick func(p *packages.Package) any
		want string
	}{
		{"bool in string field", "name: yes", func(p *packages.Package) any { return p.Name }, `"true"`},
		{"on in string field", "name: on", func(p *packages.Package) any { return p.Name }, `"true"`},
		{"int in string field", "title: 123", func(p *packages.Package) any { return p.Title }, `"123"`},
		{"float in string field", "description: 1.50", func(p *packages.Package) any { return p.Description }, `"1.5"`},
		{"big float in string field", "description: 1e21", func(p *packages.Package) any { return p.Description }, `"1e+21"`},
		{"octal in string field", "group: 017", func(p *packages.Package) any { return p.Group }, `"15"`},
		{"unquoted constraint loses its form", "conditions: {kibana: {version: 8.10}}",
			func(p *packages.Package) any { return p.Conditions }, `{"kibana":{"version":"8.1"}}`},
		{"legacy dotted kibana.version", "conditions:\n  kibana.version: '>6.7.0  <7.6.0'",
			func(p *packages.Package) any { return p.Conditions }, `{"kibana":{"version":">6.7.0  <7.6.0"}}`},
		{"fully dotted condition", "conditions.agent.version: ^8.12.0",
			func(p *packages.Package) any { return p.Conditions }, `{"agent":{"version":"^8.12.0"}}`},
		{"conditions order and empty subscription", "conditions: {agent: {version: '1'}, elastic: {}, kibana: {version: '2'}}",
			func(p *packages.Package) any { return p.Conditions }, `{"kibana":{"version":"2"},"elastic":{"subscription":""},"agent":{"version":"1"}}`},
		{"string in bool field", "policy_templates: [{name: a, title: b, description: c, multiple: \"false\"}]",
			func(p *packages.Package) any { return p.PolicyTemplates[0].Multiple }, `false`},
		{"yes in bool field", "agent: {privileges: {root: yes}}", func(p *packages.Package) any { return p.Agent }, `{"privileges":{"root":true}}`},
		{"null title is absent", "title: ~", func(p *packages.Package) any { return p.Title }, `null`},
		{"empty title is present", `title: ""`, func(p *packages.Package) any { return p.Title }, `""`},
		{"empty object is emitted", "source: {}", func(p *packages.Package) any { return p.Source }, `{}`},
		{"null object is absent", "source: ~", func(p *packages.Package) any { return p.Source }, `null`},
		{"owner keeps type and github", "owner: {github: g, type: elastic, other: x}",
			func(p *packages.Package) any { return p.Owner }, `{"type":"elastic","github":"g"}`},
		{"dotted owner", "owner.github: x", func(p *packages.Package) any { return p.Owner }, `{"github":"x"}`},
		{"scalar as a one-element list", "categories: web", func(p *packages.Package) any { return p.Categories }, `["web"]`},
		{"numbers in string lists", "categories: [1, yes]", func(p *packages.Package) any { return p.Categories }, `["1","true"]`},
		{"duplicate key last wins", "name: a\nname: b", func(p *packages.Package) any { return p.Name }, `"b"`},
		{"empty discovery is absent", "discovery: {fields: [], datasets: []}", func(p *packages.Package) any { return p.Discovery }, `null`},
		{"discovery with datasets", "discovery: {datasets: [{name: nginx.access}]}",
			func(p *packages.Package) any { return p.Discovery }, `{"datasets":[{"name":"nginx.access"}]}`},
		{"package elasticsearch keeps privileges only", "elasticsearch: {index_template: {settings: {a: 1}}}",
			func(p *packages.Package) any { return p.Elasticsearch }, `{}`},
		{"deprecated since always emitted", "deprecated: {description: x}",
			func(p *packages.Package) any { return p.Deprecated }, `{"since":"","description":"x"}`},
		{"replaced_by bool-like value", "deprecated: {replaced_by: {input: y}}",
			func(p *packages.Package) any { return p.Deprecated }, `{"since":"","description":"","replaced_by":{"input":"true"}}`},
		{"policy template vars are dropped", "policy_templates: [{name: a, title: b, description: c, vars: [{name: v}]}]",
			func(p *packages.Package) any { return p.PolicyTemplates }, `[{"name":"a","title":"b","description":"c"}]`},
		{"categories key recorded", "policy_templates: [{name: a, title: b, description: c, categories: []}, {name: d, title: e, description: f}]",
			func(p *packages.Package) any {
				return []bool{p.PolicyTemplates[0].HasCategories, p.PolicyTemplates[1].HasCategories}
			}, `[true,false]`},
		{"agentless keys", "policy_templates: [{name: a, title: b, description: c, deployment_modes: {agentless: {is_default: false, team: x}, default: {}}}]",
			func(p *packages.Package) any { return p.PolicyTemplates[0].DeploymentModes },
			`{"default":{"enabled":false},"agentless":{"enabled":false,"is_default":false}}`},
		{"input and stream fields", "policy_templates: [{name: a, title: b, description: c, inputs: [{type: x, streams: [{input: x, enabled: off}]}]}]",
			func(p *packages.Package) any { return p.PolicyTemplates[0].Inputs }, `[{"type":"x","streams":[{"input":"x","enabled":false}]}]`},
		{"requires", "requires: {content: [{package: p, version: 1.0}]}",
			func(p *packages.Package) any { return p.Requires }, `{"content":[{"package":"p","version":"1"}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := decodeManifest(c.doc)
			if err != nil {
				t.Fatal(err)
			}
			if got := compactJSON(t, c.pick(p)); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestDecodeVarDefaults(t *testing.T) {
	cases := []struct {
		name, def, want string
	}{
		{"absent", "", `{"name":"v","type":"","multi":false,"required":false,"show_user":false}`},
		{"null", "default: ~", `{"name":"v","type":"","multi":false,"required":false,"show_user":false}`},
		{"empty map", "default: {}", `{"name":"v","type":"","multi":false,"required":false,"show_user":false}`},
		{"false", "default: false", `{"name":"v","type":"","multi":false,"required":false,"show_user":false,"default":false}`},
		{"zero", "default: 0", `{"name":"v","type":"","multi":false,"required":false,"show_user":false,"default":0}`},
		{"empty string", `default: ""`, `{"name":"v","type":"","multi":false,"required":false,"show_user":false,"default":""}`},
		{"empty list", "default: []", `{"name":"v","type":"","multi":false,"required":false,"show_user":false,"default":[]}`},
		{"off", "default: off", `{"name":"v","type":"","multi":false,"required":false,"show_user":false,"default":false}`},
		{"octal", "default: 017", `{"name":"v","type":"","multi":false,"required":false,"show_user":false,"default":15}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := decodeManifest("vars:\n  - name: v\n    " + c.def + "\n")
			if err != nil {
				t.Fatal(err)
			}
			if got := compactJSON(t, p.Vars[0]); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestDecodeFreeFormValues(t *testing.T) {
	cases := []struct {
		name, def, want string
	}{
		{"dotted keys expanded", "{a.b: 1}", `{"a":{"b":1}}`},
		{"nested empty map is null", "{k: {}}", `{"k":null}`},
		{"empty map in list is null", "[{}]", `[null]`},
		{"nested null kept", "{k: ~}", `{"k":null}`},
		{"null in list kept", "[~, 1]", `[null,1]`},
		{"quoted bool-like key", `{"n": 1}`, `{"n":1}`},
		{"keys sorted on output", "{z: 1, M: 2, a: 3}", `{"M":2,"a":3,"z":1}`},
		{"big integer exact", "12345678901234567890", `12345678901234567890`},
		{"negative", "-7", `-7`},
		{"floats", "[2.0, 1.50, 1e21, 0.0000001]", `[2,1.5,1e+21,1e-7]`},
		{"html is not escaped", `"<a&b>"`, `"<a&b>"`},
		{"timestamp stays a string", "2024-01-01", `"2024-01-01"`},
		{"templates kept", `"c: ${var}"`, `"c: ${var}"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := decodeManifest("vars:\n  - name: v\n    default: " + c.def + "\n")
			if err != nil {
				t.Fatal(err)
			}
			if got := compactJSON(t, p.Vars[0].Default); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestDecodeFreeFormInfinityCannotBeEncoded(t *testing.T) {
	p, err := decodeManifest("vars:\n  - name: v\n    default: .inf\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := packages.MarshalIndentJSON(p); err == nil {
		t.Fatal("encoding +Inf succeeded; upstream answers 500 for such packages (Q10)")
	}
}

func TestDecodeIndexTemplates(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"settings dotted", "elasticsearch: {index_template.settings: {index.lifecycle.name: x}}",
			`{"index_template.settings":{"index":{"lifecycle":{"name":"x"}}}}`},
		{"direct empty entries dropped", "elasticsearch: {index_template.mappings: {properties: {}, dynamic: false}}",
			`{"index_template.mappings":{"dynamic":false}}`},
		{"direct null dropped, empty result omitted", "elasticsearch: {index_template.settings: {x: ~}}", `{}`},
		{"nested empty becomes null", "elasticsearch: {index_template.mappings: {properties: {a: {}}}}",
			`{"index_template.mappings":{"properties":{"a":null}}}`},
		{"pipeline name and privileges", "elasticsearch: {ingest_pipeline.name: p, privileges: {indices: [a]}}",
			`{"ingest_pipeline.name":"p","privileges":{"indices":["a"]}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tree, err := parseYAMLMapping("manifest.yml", []byte("type: logs\ntitle: x\n"+c.doc))
			if err != nil {
				t.Fatal(err)
			}
			d := &decoder{}
			ds := decodeDataStream(d, node{m: tree})
			if d.err != nil {
				t.Fatal(d.err)
			}
			if got := compactJSON(t, ds.Elasticsearch); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"policy template name", "policy_templates: [{title: b, description: c}]", "string value is not set accessing 'policy_templates.0.name'"},
		{"policy template empty title", `policy_templates: [{name: a, title: "", description: c}]`, "string value is not set accessing 'policy_templates.0.title'"},
		{"policy template null description", `policy_templates: [{name: a, title: b, description: ~}]`, "string value is not set accessing 'policy_templates.0.description'"},
		{"icon src", "icons: [{title: x}]", "string value is not set accessing 'icons.0.src'"},
		{"null screenshot", "screenshots: [{src: a}, ~]", "string value is not set accessing 'screenshots.1.src'"},
		{"policy template icon src", "policy_templates: [{name: a, title: b, description: c, icons: [{}]}]", "string value is not set accessing 'policy_templates.0.icons.0.src'"},
		{"discovery field name", "discovery: {fields: [{}]}", "string value is not set accessing 'discovery.fields.0.name'"},
		{"requires version", "requires: {input: [{package: p}]}", "string value is not set accessing 'requires.input.0.version'"},
		{"first error in field order", "icons: [{}]\npolicy_templates: [{}]", "string value is not set accessing 'icons.0.src'"},
		{"list in string field", "title: [a]", "can not convert 'object' into 'string' accessing 'title'"},
		{"bad bool string", "agent: {privileges: {root: maybe}}", "can not convert 'string' into 'bool' accessing 'agent.privileges.root'"},
		{"number in bool field", "agent: {privileges: {root: 1}}", "can not convert 'int' into 'bool' accessing 'agent.privileges.root'"},
		{"scalar for an object", "owner: someone", "required 'object', but found 'string' in field 'owner'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeManifest(c.doc)
			if err == nil || err.Error() != c.want {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}
