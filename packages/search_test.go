package packages_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "filter", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func boolPtr(b bool) *bool { return &b }

// examplePrerelease is example@1.2.0-rc1 of fixture A with the fields of its
// full package document, most of which the projection must drop.
func examplePrerelease(t *testing.T) *packages.Package {
	title := "Example Integration"
	p := &packages.Package{
		Name:        "example",
		Title:       &title,
		Version:     "1.2.0-rc1",
		Release:     "ga",
		Source:      &packages.Source{License: "Elastic-2.0"},
		Description: "This is the example integration",
		Type:        "integration",
		Download:    "/epr/example/example-1.2.0-rc1.zip",
		Path:        "/package/example/1.2.0-rc1",
		Conditions: &packages.Conditions{
			Kibana:  &packages.KibanaConditions{Version: "^7.16.0 || ^8.0.0"},
			Elastic: &packages.ElasticConditions{Subscription: "gold", Capabilities: []string{"observability", "security"}},
		},
		Owner:         &packages.Owner{Github: "ruflin"},
		Categories:    []string{"crm", "azure", "cloud"},
		FormatVersion: "3.0.0",
		Readme:        "/package/example/1.2.0-rc1/docs/README.md",
		License:       "gold",
		Screenshots:   []packages.Image{{Src: "/img/s.png", Path: "/package/example/1.2.0-rc1/img/s.png"}},
		Assets:        []string{"/package/example/1.2.0-rc1/manifest.yml"},
		PolicyTemplates: []packages.PolicyTemplate{{
			Name:          "logs",
			Title:         "Logs datasource",
			Description:   "Datasource for your log files.",
			Inputs:        []packages.Input{{Type: "file", Title: "Files"}},
			Multiple:      boolPtr(true),
			Categories:    []string{"datastore"},
			HasCategories: true,
		}},
		DataStreams: []packages.DataStream{{
			Type:    "logs",
			Dataset: "example.foo",
			Title:   "Foo",
			Release: "beta",
			Package: "example",
			Path:    "foo",
			Streams: []packages.Stream{{Input: "file", Title: "Foo"}},
		}},
		Vars:          []packages.Variable{{Name: "v", Type: "text"}},
		Elasticsearch: &packages.PackageElasticsearch{},
		Agent:         &packages.PackageAgent{},
	}
	if err := p.InitRuntime(); err != nil {
		t.Fatal(err)
	}
	return p
}

// fullPackage sets every optional key of the search projection.
func fullPackage(t *testing.T) *packages.Package {
	empty := ""
	p := &packages.Package{
		Name:        "full",
		Title:       &empty,
		Version:     "2.0.0",
		Release:     "beta",
		Source:      &packages.Source{},
		Description: "<b>&amp;</b> — \u2028",
		Type:        "input",
		Download:    "/epr/full/full-2.0.0.zip",
		Path:        "/package/full/2.0.0",
		Icons: []packages.Image{{Src: "/img/icon.svg", Path: "/package/full/2.0.0/img/icon.svg",
			Title: "Icon", Size: "32x32", Type: "image/svg+xml"}},
		PolicyTemplatesBehavior: "all",
		Conditions: &packages.Conditions{
			Elastic: &packages.ElasticConditions{Capabilities: []string{"security"}},
			Agent:   &packages.AgentConditions{Version: ">=8.0.0 <9.0.0"},
		},
		Owner:         &packages.Owner{Type: "elastic", Github: "elastic/team"},
		Categories:    []string{"web"},
		SignaturePath: "/epr/full/full-2.0.0.zip.sig",
		Discovery:     &packages.Discovery{Datasets: []packages.DiscoveryDataset{{Name: "full.logs"}}},
		Deprecated: &packages.Deprecated{Since: "2.0.0", Description: "replaced",
			ReplacedBy: &packages.ReplacedBy{Package: "newfull"}},
		Requires:      &packages.Requires{Input: []packages.PackageDependency{{Package: "sql", Version: "^1.0.0"}}},
		Group:         "nginx",
		FormatVersion: "3.6.0",
		PolicyTemplates: []packages.PolicyTemplate{
			{
				Name:        "pt1",
				Title:       "PT one",
				DataStreams: []string{"ds1"},
				Multiple:    boolPtr(false),
				Icons:       []packages.Image{{Src: "/img/pt.svg", Path: "/package/full/2.0.0/img/pt.svg"}},
				Categories:  []string{"web", "compute"},
				Readme:      "/package/full/2.0.0/docs/pt1.md",
				DeploymentModes: &packages.DeploymentModes{
					Default:   &packages.DefaultDeploymentMode{},
					Agentless: &packages.AgentlessDeploymentMode{Enabled: true, IsDefault: boolPtr(false), Release: "beta"},
				},
				Type:            "logs",
				Input:           "sql",
				IngestionMethod: "API",
				TemplatePath:    "input.yml.hbs",
				Deprecated: &packages.Deprecated{Since: "1.5.0", Description: "use pt2",
					ReplacedBy: &packages.ReplacedBy{PolicyTemplate: "pt2"}},
				HasCategories: true,
			},
			{Name: "pt2", Title: "PT two", Description: "second", Categories: []string{}, HasCategories: true},
		},
		DataStreams: []packages.DataStream{
			{Dataset: "full.metrics", Hidden: true},
			{Type: "logs", Dataset: "full.logs", Title: "Logs", Deprecated: &packages.Deprecated{Description: "gone"}},
		},
	}
	if err := p.InitRuntime(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSearchJSONGolden(t *testing.T) {
	b := fixtureB(t)
	ptweb, err := b.search(t, "category=observability&package=ptweb")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		pkgs   packages.Packages
		golden string
	}{
		// A prerelease with its policy templates and data streams.
		{"example prerelease", packages.Packages{examplePrerelease(t)}, "search_example_rc1.json"},
		// Pruned to no policy templates at all.
		{"ptweb observability", ptweb, "search_ptweb_observability.json"},
		{"every optional key", packages.Packages{fullPackage(t)}, "search_full_item.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := packages.SearchJSON(tc.pkgs)
			if err != nil {
				t.Fatal(err)
			}
			if want := readGolden(t, tc.golden); !bytes.Equal(got, want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestSearchJSONEmpty(t *testing.T) {
	for _, pkgs := range []packages.Packages{nil, {}} {
		got, err := packages.SearchJSON(pkgs)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != "[]" {
			t.Errorf("got %q, want %q", got, "[]")
		}
	}
}

// The array assembled from per-package items is byte-identical to what
// encoding/json produces for the whole list (json.RawMessage is re-indented
// by the encoder, so this checks the joining, not the items).
func TestSearchJSONMatchesEncoder(t *testing.T) {
	pkgs := append(allPackages(fixtureB(t)), examplePrerelease(t), fullPackage(t))
	for _, n := range []int{1, 2, len(pkgs)} {
		sorted := packages.SortForSearch(pkgs[:n])
		raw := make([]json.RawMessage, len(sorted))
		for i, p := range sorted {
			item, err := packages.SearchItemJSON(p)
			if err != nil {
				t.Fatal(err)
			}
			raw[i] = item
		}
		want, err := packages.MarshalIndentJSON(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := packages.SearchJSON(pkgs[:n])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%d packages: got\n%s\nwant\n%s", n, got, want)
		}
	}
}

// Name byte-wise, then semver precedence; the input keeps its order.
func TestSortForSearch(t *testing.T) {
	pkgs := packages.Packages{
		newPkg(t, "example", "1.0.1"),
		newPkg(t, "example", "1.0.0"),
		newPkg(t, "examplea", "1.0.0"),
		newPkg(t, "example_b", "1.0.0"),
		newPkg(t, "example9", "1.0.0"),
		newPkg(t, "example", "1.0.0-rc1"),
		newPkg(t, "example", "0.0.2"),
		newPkg(t, "example", "1.0.0-rc.10"),
		newPkg(t, "example", "1.0.0-rc.9"),
		newPkg(t, "Example", "9.0.0"),
		newPkg(t, "example", "10.0.0"),
	}
	before := slices.Clone(pkgs)
	want := "Example@9.0.0 example@0.0.2 example@1.0.0-rc.9 example@1.0.0-rc.10 example@1.0.0-rc1 example@1.0.0 example@1.0.1 example@10.0.0 example9@1.0.0 example_b@1.0.0 examplea@1.0.0"
	if got := ids(pkgs); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !slices.Equal(before, pkgs) {
		t.Error("input reordered")
	}
}

// Items are self-contained: the cached bytes of one package are the same
// whatever list it is rendered in.
func TestSearchItemJSONStandalone(t *testing.T) {
	p := examplePrerelease(t)
	item, err := packages.SearchItemJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	whole := readGolden(t, "search_example_rc1.json")
	want := whole[len("[\n  ") : len(whole)-len("\n]\n")]
	if !bytes.Equal(item, want) {
		t.Errorf("got:\n%s\nwant:\n%s", item, want)
	}
	if got := packages.JoinSearchItems([][]byte{item}); !bytes.Equal(got, whole) {
		t.Errorf("join: got:\n%s", got)
	}
}
