package packages_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/eprgo/package-registry/packages"
)

// Two fixtures of upstream-like package sets, as Go values with only the fields
// the filters, counts and projections look at. An "indexer" is a list of
// packages; a fixture is the list of its indexers in server order (zip files,
// then directories), because the selection runs in two stages: newest per
// indexer, then newest across indexers.

type pkgOpt func(*packages.Package)

// newPkg builds a package the way a loader would leave it: derived release,
// type, download and path filled, runtime initialised.
func newPkg(t testing.TB, name, version string, opts ...pkgOpt) *packages.Package {
	t.Helper()
	title := name
	p := &packages.Package{
		Name:          name,
		Title:         &title,
		Version:       version,
		Description:   "d",
		Type:          "integration",
		Download:      "/epr/" + name + "/" + name + "-" + version + ".zip",
		Path:          "/package/" + name + "/" + version,
		FormatVersion: "2.10.0",
	}
	for _, o := range opts {
		o(p)
	}
	if p.Release == "" {
		v := semver.MustParse(version)
		p.Release = "ga"
		if v.Prerelease() != "" || v.Major() == 0 {
			p.Release = "beta"
		}
	}
	if err := p.InitRuntime(); err != nil {
		t.Fatalf("%s@%s: %v", name, version, err)
	}
	return p
}

func cats(c ...string) pkgOpt       { return func(p *packages.Package) { p.Categories = c } }
func release(r string) pkgOpt       { return func(p *packages.Package) { p.Release = r } }
func pkgType(typ string) pkgOpt     { return func(p *packages.Package) { p.Type = typ } }
func formatVersion(v string) pkgOpt { return func(p *packages.Package) { p.FormatVersion = v } }

func conditions(p *packages.Package) *packages.Conditions {
	if p.Conditions == nil {
		p.Conditions = &packages.Conditions{}
	}
	return p.Conditions
}

func kibana(c string) pkgOpt {
	return func(p *packages.Package) { conditions(p).Kibana = &packages.KibanaConditions{Version: c} }
}

func agent(c string) pkgOpt {
	return func(p *packages.Package) { conditions(p).Agent = &packages.AgentConditions{Version: c} }
}

func capabilities(c ...string) pkgOpt {
	return func(p *packages.Package) { conditions(p).Elastic = &packages.ElasticConditions{Capabilities: c} }
}

// pt adds a policy template whose manifest has a categories key.
func pt(name string, c ...string) pkgOpt {
	return func(p *packages.Package) {
		p.PolicyTemplates = append(p.PolicyTemplates, packages.PolicyTemplate{
			Name: name, Title: name, Description: name, Categories: c, HasCategories: true,
		})
	}
}

// ptNoKey adds a policy template without a categories key.
func ptNoKey(name string) pkgOpt {
	return func(p *packages.Package) {
		p.PolicyTemplates = append(p.PolicyTemplates, packages.PolicyTemplate{
			Name: name, Title: name, Description: name,
		})
	}
}

func deprecated(since, desc string) pkgOpt {
	return func(p *packages.Package) { p.Deprecated = &packages.Deprecated{Since: since, Description: desc} }
}

func discovery(fields, datasets []string) pkgOpt {
	return func(p *packages.Package) {
		d := &packages.Discovery{}
		for _, f := range fields {
			d.Fields = append(d.Fields, packages.DiscoveryField{Name: f})
		}
		for _, ds := range datasets {
			d.Datasets = append(d.Datasets, packages.DiscoveryDataset{Name: ds})
		}
		p.Discovery = d
	}
}

// fixture is the packages of each indexer, in server order.
type fixture [][]*packages.Package

// indexed mimics what every indexer does after loading (deprecations).
func indexed(pkgs ...*packages.Package) []*packages.Package {
	packages.PropagateDeprecations(pkgs, map[string]*packages.Deprecated{})
	return pkgs
}

// fixtureA is upstream's development fixture: a zip indexer
// holding example@1.0.1 and nodirentries, and a directory indexer with
// everything else.
func fixtureA(t testing.TB) fixture {
	v1 := "1.0.0"
	zip := indexed(
		newPkg(t, "example", "1.0.1", release("ga"), formatVersion(v1), cats("crm", "azure"), kibana("~7.x.x"), ptNoKey("logs")),
		newPkg(t, "nodirentries", "1.0.0", release("ga"), formatVersion(v1), cats("crm", "azure"), kibana("~7.x.x"), ptNoKey("logs")),
	)
	custom := cats("custom")
	dir := indexed(
		newPkg(t, "agent_privileges", "1.0.0", release("beta"), pkgType("solution"), formatVersion(v1), custom, kibana(">=7.16.0")),
		newPkg(t, "agent_version", "1.0.0", release("ga"), formatVersion(v1), cats("custom", "web"), kibana(">6.7.0"), agent("^9.2.0")),
		newPkg(t, "dataset_is_prefix", "0.0.1", formatVersion(v1), custom),
		newPkg(t, "datasources", "1.0.0", release("beta"), formatVersion(v1), custom, ptNoKey("nginx")),
		newPkg(t, "datastream_without_release", "0.1.0", formatVersion(v1), cats("datastore", "monitoring"), kibana("^8.1.0"), ptNoKey("apache_spark")),
		newPkg(t, "default_pipeline", "0.0.2", formatVersion(v1), cats("containers", "message_queue"), ptNoKey("logs")),
		newPkg(t, "defaultrelease", "0.0.1", pkgType("solution"), formatVersion(v1), cats("aws")),
		newPkg(t, "deployment_modes", "0.0.1", formatVersion("3.3.0"), custom, kibana("^8.15.2"), ptNoKey("agentless"), ptNoKey("default")),
		newPkg(t, "deprecated_input_package", "1.0.0", pkgType("input"), formatVersion("3.6.0"), custom, kibana("^9.2.3"), ptNoKey("sample")),
		newPkg(t, "deprecated_input_policy", "1.0.0", pkgType("input"), formatVersion("3.6.0"), custom, kibana("^9.2.3"), ptNoKey("sample_deprecated"), ptNoKey("sample")),
		newPkg(t, "deprecated_integration_input", "1.0.0", formatVersion("3.6.0"), custom, kibana("^9.2.3"), ptNoKey("sample")),
		newPkg(t, "deprecated_integration_stream", "1.0.0", formatVersion("3.6.0"), custom, kibana("^9.2.3"), ptNoKey("sample")),
		newPkg(t, "discovery_empty", "0.1.0", pkgType("content"), formatVersion("3.4.0"), cats("support"), kibana("^8.16.0"), discovery(nil, nil)),
		newPkg(t, "ecs_style_dataset", "0.0.1", formatVersion(v1), cats("monitoring"), ptNoKey("logs")),
		newPkg(t, "elasticsearch_privileges", "1.0.0", release("beta"), pkgType("solution"), formatVersion(v1), custom, kibana(">=7.16.0")),
		newPkg(t, "example", "0.0.2", release("beta"), formatVersion(v1), cats("web"), kibana(">=6.0.0")),
		newPkg(t, "example", "1.0.0", release("ga"), formatVersion(v1), cats("crm", "azure"), kibana("~7.x.x"), pt("logs", "datastore")),
		newPkg(t, "example", "1.1.0", release("ga"), formatVersion("2.10.0"), cats("crm", "azure"), kibana("^7.16.0 || ^8.0.0"), pt("logs", "datastore")),
		newPkg(t, "example", "1.2.0-rc1", release("ga"), formatVersion("3.0.0"), cats("crm", "azure", "cloud"), kibana("^7.16.0 || ^8.0.0"), capabilities("observability", "security"), pt("logs", "datastore")),
		newPkg(t, "foo", "1.0.0", release("beta"), pkgType("solution"), formatVersion("2.10.0"), custom, kibana(">=7.0.0"), capabilities("observability", "uptime")),
		newPkg(t, "good_content", "0.1.0", pkgType("content"), formatVersion("3.4.0"), cats("web"), kibana("^8.16.0"),
			discovery([]string{"process.pid"}, []string{"good_content.access", "good_content.errors"})),
		newPkg(t, "hidden", "1.0.0", release("beta"), pkgType("solution"), formatVersion(v1), custom, kibana(">=7.0.0")),
		newPkg(t, "ilm_policy", "1.0.0", release("beta"), pkgType("solution"), formatVersion(v1), custom, kibana(">=7.0.0")),
		newPkg(t, "input_groups", "0.0.1", formatVersion(v1), cats("aws", "cloud"), kibana("~7.x.x"), pt("ec2", "compute")),
		newPkg(t, "input_level_templates", "1.0.0", release("beta"), pkgType("solution"), formatVersion(v1), custom, kibana(">=7.11.0"), ptNoKey("input_level_templates")),
		newPkg(t, "integration_input", "1.0.0", release("ga"), formatVersion(v1), cats("crm", "azure"), kibana("^8.4.0"), pt("logs", "datastore")),
		newPkg(t, "integration_input", "1.0.2", pkgType("input"), formatVersion(v1), cats("custom", "datastore"), kibana("^8.4.0"), ptNoKey("sql_query")),
		newPkg(t, "longdocs", "1.0.4", release("ga"), formatVersion(v1), cats("custom", "web"), kibana(">6.7.0")),
		newPkg(t, "metricsonly", "2.0.1", release("ga"), formatVersion(v1), custom),
		newPkg(t, "multiple_false", "0.0.1", formatVersion(v1), custom, ptNoKey("logs")),
		newPkg(t, "multiversion", "1.0.3", release("ga"), formatVersion(v1), cats("custom", "web"), kibana(">6.7.0")),
		newPkg(t, "multiversion", "1.0.4", release("ga"), formatVersion(v1), cats("custom", "web"), kibana(">6.7.0")),
		newPkg(t, "multiversion", "1.1.0", release("ga"), formatVersion(v1), cats("custom", "web"), kibana(">6.7.0")),
		newPkg(t, "multiversion", "1.2.0", release("ga"), formatVersion(v1), cats("custom", "web"), kibana(">6.7.0"), deprecated("1.2.0", "This package is deprecated")),
		newPkg(t, "nginx_grouped", "0.1.0", formatVersion("2.10.0"), custom, kibana(">=8.0.0")),
		newPkg(t, "no_stream_configs", "1.0.0", release("beta"), formatVersion(v1), custom),
		newPkg(t, "package_reference", "0.1.0", formatVersion("3.6.0"), custom, kibana("^8.18.0"), ptNoKey("package_ref_policy")),
		newPkg(t, "package_reference_stream", "0.1.0", formatVersion("3.6.0"), custom),
		newPkg(t, "reference", "1.0.0", release("ga"), formatVersion(v1), cats("custom", "web"), kibana(">6.7.0  <7.6.0"), ptNoKey("nginx")),
		newPkg(t, "sql_input", "0.2.0", pkgType("input"), formatVersion(v1), cats("custom", "datastore"), ptNoKey("sql_query")),
		newPkg(t, "sql_input", "0.3.0", pkgType("input"), formatVersion(v1), cats("custom", "datastore"), ptNoKey("sql_query")),
		newPkg(t, "traces", "1.0.0", release("experimental"), formatVersion(v1), cats("monitoring"), kibana("~7.x.x")),
		newPkg(t, "yamlpipeline", "1.0.0", release("beta"), formatVersion(v1), custom),
	)
	return fixture{zip, dir}
}

// fixtureB is a set written for the edge cases (format_version 2.10.0,
// type integration unless noted). kib, depr and specpkg list `aws`, which
// the /categories totals of TestCategoriesWorkedExamples imply.
func fixtureB(t testing.TB) fixture {
	aws := cats("aws")
	zip := indexed(
		newPkg(t, "cross", "1.0.0", cats("web")),
		newPkg(t, "xi", "2.0.0-beta1", aws),
	)
	dir := indexed(
		newPkg(t, "buildmeta", "1.0.0+build1", aws),
		newPkg(t, "cross", "2.0.0", aws),
		newPkg(t, "depr", "1.0.0", aws, deprecated("1.0.0", "old one")),
		newPkg(t, "depr", "2.0.0", aws),
		newPkg(t, "expr", "1.0.0", aws, release("experimental")),
		newPkg(t, "kib", "1.0.0", aws, kibana("^7.0.0")),
		newPkg(t, "kib", "2.0.0", aws, kibana("^8.0.0")),
		newPkg(t, "kib", "3.0.0-beta1", aws, kibana("^8.0.0")),
		newPkg(t, "parentonly", "1.0.0", cats("observability")),
		newPkg(t, "pre", "0.9.0", aws),
		newPkg(t, "pre", "1.0.0", aws),
		newPkg(t, "pre", "1.5.0", aws, release("experimental")),
		newPkg(t, "pre", "2.0.0-beta1", aws),
		newPkg(t, "ptcat", "1.0.0", cats("custom"), pt("a", "web"), pt("b", "security", "custom"), ptNoKey("c"), pt("d", "observability")),
		newPkg(t, "ptempty", "1.0.0", aws, pt("e")),
		newPkg(t, "ptmulti", "1.0.0", aws, ptNoKey("m1"), ptNoKey("m2")),
		newPkg(t, "ptsingle", "1.0.0", aws, ptNoKey("s")),
		newPkg(t, "ptweb", "1.0.0", aws, pt("w", "web")),
		newPkg(t, "specpkg", "1.0.0", aws, formatVersion("3.0.5")),
		newPkg(t, "specpkg", "2.0.0", aws, formatVersion("3.1.0")),
		newPkg(t, "techonly", "0.1.0", aws),
		newPkg(t, "techonly", "0.2.0-rc1", aws),
		// notacategory was dropped by the loader.
		newPkg(t, "unkcat", "1.0.0", cats("aws", "web")),
		newPkg(t, "xi", "1.0.0", aws),
	)
	return fixture{zip, dir}
}

// query runs the filter over every indexer and combines the results as the
// server does: concatenation in indexer order without
// name+version duplicates, then plain newest selection unless all=true.
func (fx fixture) query(t testing.TB, f *packages.Filter) (packages.Packages, error) {
	t.Helper()
	var merged packages.Packages
	seen := make(map[string]bool)
	for _, pkgs := range fx {
		got, err := f.Apply(context.Background(), pkgs)
		if err != nil {
			return nil, err
		}
		for _, p := range got {
			if k := p.Name + "@" + p.Version; !seen[k] {
				seen[k] = true
				merged = append(merged, p)
			}
		}
	}
	if f.AllVersions {
		return merged, nil
	}
	// A filter with nothing but prerelease=true is exactly plain newest
	// selection.
	return (&packages.Filter{Prerelease: true}).Apply(context.Background(), merged)
}

func (fx fixture) search(t testing.TB, rawQuery string) (packages.Packages, error) {
	t.Helper()
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		t.Fatalf("query %q: %v", rawQuery, err)
	}
	f, err := packages.ParseSearchQuery(q, true)
	if err != nil {
		t.Fatalf("query %q: %v", rawQuery, err)
	}
	return fx.query(t, f)
}

func (fx fixture) categories(t testing.TB, rawQuery string) []packages.CategoryCount {
	t.Helper()
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		t.Fatalf("query %q: %v", rawQuery, err)
	}
	f, include, err := packages.ParseCategoriesQuery(q, true)
	if err != nil {
		t.Fatalf("query %q: %v", rawQuery, err)
	}
	pkgs, err := fx.query(t, f)
	if err != nil {
		t.Fatalf("query %q: %v", rawQuery, err)
	}
	return packages.CountCategories(pkgs, include)
}

// ids renders a result as sorted "name@version" words.
func ids(pkgs packages.Packages) string {
	var s []string
	for _, p := range packages.SortForSearch(pkgs) {
		s = append(s, p.Name+"@"+p.Version)
	}
	return strings.Join(s, " ")
}

func allPackages(fx fixture) packages.Packages {
	var all packages.Packages
	for _, pkgs := range fx {
		all = append(all, pkgs...)
	}
	return all
}
