package packages_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

// Worked examples of /search, against the fixtures of filter_fixtures_test.go.
func TestSearchWorkedExamples(t *testing.T) {
	a, b := fixtureA(t), fixtureB(t)
	cases := []struct {
		name  string
		fx    fixture
		query string
		want  string // exact sorted ids; "" means empty, unless count is set
		count int    // when set, only the size and includes are checked
		has   []string
		lacks []string
	}{
		// Defaults and prerelease.
		{name: "B defaults", fx: b, query: "",
			want: "buildmeta@1.0.0+build1 cross@2.0.0 depr@2.0.0 kib@2.0.0 parentonly@1.0.0 pre@1.0.0 ptcat@1.0.0 ptempty@1.0.0 ptmulti@1.0.0 ptsingle@1.0.0 ptweb@1.0.0 specpkg@2.0.0 techonly@0.1.0 unkcat@1.0.0 xi@1.0.0"},
		{name: "B prerelease", fx: b, query: "prerelease=true",
			want: "buildmeta@1.0.0+build1 cross@2.0.0 depr@2.0.0 expr@1.0.0 kib@3.0.0-beta1 parentonly@1.0.0 pre@2.0.0-beta1 ptcat@1.0.0 ptempty@1.0.0 ptmulti@1.0.0 ptsingle@1.0.0 ptweb@1.0.0 specpkg@2.0.0 techonly@0.2.0-rc1 unkcat@1.0.0 xi@2.0.0-beta1"},
		{name: "B all", fx: b, query: "all=true",
			want: "buildmeta@1.0.0+build1 cross@1.0.0 cross@2.0.0 depr@1.0.0 depr@2.0.0 kib@1.0.0 kib@2.0.0 parentonly@1.0.0 pre@0.9.0 pre@1.0.0 ptcat@1.0.0 ptempty@1.0.0 ptmulti@1.0.0 ptsingle@1.0.0 ptweb@1.0.0 specpkg@1.0.0 specpkg@2.0.0 techonly@0.1.0 unkcat@1.0.0 xi@1.0.0"},
		{name: "A defaults", fx: a, query: "", count: 35,
			has: []string{"example@1.1.0", "foo@1.0.0", "nodirentries@1.0.0", "sql_input@0.3.0"}, lacks: []string{"traces@1.0.0"}},
		{name: "A all", fx: a, query: "all=true", count: 43},
		{name: "A all prerelease", fx: a, query: "all=true&prerelease=true", count: 45,
			has: []string{"example@1.2.0-rc1", "traces@1.0.0"}},
		{name: "A package", fx: a, query: "package=example", want: "example@1.1.0"},
		{name: "A package prerelease", fx: a, query: "package=example&prerelease=true", want: "example@1.2.0-rc1"},
		{name: "A package all", fx: a, query: "package=example&all=true",
			want: "example@0.0.2 example@1.0.0 example@1.0.1 example@1.1.0"},
		{name: "A unknown package", fx: a, query: "package=nonexistent", want: ""},
		{name: "A first value wins", fx: a, query: "package=example&package=foo", want: "example@1.1.0"},

		// Legacy mode.
		{name: "B legacy", fx: b, query: "experimental=true",
			want: "buildmeta@1.0.0+build1 cross@2.0.0 depr@2.0.0 expr@1.0.0 kib@2.0.0 parentonly@1.0.0 pre@1.5.0 ptcat@1.0.0 ptempty@1.0.0 ptmulti@1.0.0 ptsingle@1.0.0 ptweb@1.0.0 specpkg@2.0.0 techonly@0.1.0 unkcat@1.0.0 xi@2.0.0-beta1"},
		{name: "B legacy all", fx: b, query: "experimental=true&all=true",
			want: "buildmeta@1.0.0+build1 cross@1.0.0 cross@2.0.0 depr@1.0.0 depr@2.0.0 expr@1.0.0 kib@1.0.0 kib@2.0.0 parentonly@1.0.0 pre@1.0.0 pre@1.5.0 ptcat@1.0.0 ptempty@1.0.0 ptmulti@1.0.0 ptsingle@1.0.0 ptweb@1.0.0 specpkg@1.0.0 specpkg@2.0.0 techonly@0.1.0 techonly@0.2.0-rc1 unkcat@1.0.0 xi@1.0.0 xi@2.0.0-beta1"},
		{name: "B legacy prerelease false", fx: b, query: "experimental=true&prerelease=false&package=pre", want: "pre@1.5.0"},
		{name: "B legacy ignores prerelease", fx: b, query: "experimental=true&prerelease=true&package=pre", want: "pre@1.5.0"},
		{name: "A legacy ignores agent", fx: a, query: "experimental=true&agent.version=9.1.0&package=agent_version", want: "agent_version@1.0.0"},
		{name: "A agent without legacy", fx: a, query: "agent.version=9.1.0&package=agent_version", want: ""},
		{name: "A legacy ignores capabilities", fx: a, query: "experimental=true&capabilities=none&package=foo", want: "foo@1.0.0"},
		{name: "A legacy ignores spec", fx: a, query: "experimental=true&spec.min=9.0", count: 36, has: []string{"traces@1.0.0", "example@1.1.0"}},
		{name: "A legacy ignores discovery", fx: a, query: "experimental=true&discovery=fields:nothing", count: 36},
		{name: "A legacy honours kibana", fx: a, query: "experimental=true&kibana.version=6.5.2&package=example", want: "example@0.0.2"},
		{name: "A legacy honours type", fx: a, query: "experimental=true&type=input&package=integration_input", want: "integration_input@1.0.2"},

		// Kibana and agent.
		{name: "A kibana 7.2.1", fx: a, query: "kibana.version=7.2.1&package=example", want: "example@1.0.1"},
		{name: "A kibana 7.2.1 all", fx: a, query: "kibana.version=7.2.1&package=example&all=true",
			want: "example@0.0.2 example@1.0.0 example@1.0.1"},
		{name: "A kibana 6.5.2", fx: a, query: "kibana.version=6.5.2&package=example", want: "example@0.0.2"},
		{name: "A kibana 8.0", fx: a, query: "kibana.version=8.0&package=example", want: "example@1.1.0"},
		{name: "A kibana v8", fx: a, query: "kibana.version=v8&package=example", want: "example@1.1.0"},
		{name: "A kibana snapshot", fx: a, query: "kibana.version=8.0.0-SNAPSHOT&package=example", want: ""},
		{name: "A kibana snapshot unconstrained", fx: a, query: "kibana.version=8.0.0-SNAPSHOT&package=yamlpipeline", want: "yamlpipeline@1.0.0"},
		{name: "A agent 9.5.0", fx: a, query: "package=agent_version&agent.version=9.5.0", want: "agent_version@1.0.0"},
		{name: "B kibana 7.5.0", fx: b, query: "kibana.version=7.5.0&package=kib", want: "kib@1.0.0"},
		{name: "B kibana 8.1.0 prerelease", fx: b, query: "kibana.version=8.1.0&package=kib&prerelease=true", want: "kib@3.0.0-beta1"},
		{name: "B kibana 9.0.0", fx: b, query: "kibana.version=9.0.0&package=kib", want: ""},

		// Category after newest selection.
		{name: "A web", fx: a, query: "category=web",
			want: "agent_version@1.0.0 good_content@0.1.0 longdocs@1.0.4 multiversion@1.2.0 reference@1.0.0"},
		{name: "A web all", fx: a, query: "category=web&all=true",
			want: "agent_version@1.0.0 example@0.0.2 good_content@0.1.0 longdocs@1.0.4 multiversion@1.0.3 multiversion@1.0.4 multiversion@1.1.0 multiversion@1.2.0 reference@1.0.0"},
		{name: "A example web", fx: a, query: "package=example&category=web", want: ""},
		{name: "A example web all", fx: a, query: "package=example&category=web&all=true", want: "example@0.0.2"},
		{name: "A web kibana 6.5.2", fx: a, query: "category=web&kibana.version=6.5.2", want: "example@0.0.2"},
		{name: "A Web", fx: a, query: "category=Web", want: ""},

		// Parent categories.
		{name: "A observability", fx: a, query: "category=observability",
			want: "agent_version@1.0.0 datastream_without_release@0.1.0 default_pipeline@0.0.2 ecs_style_dataset@0.0.1 good_content@0.1.0 longdocs@1.0.4 multiversion@1.2.0 reference@1.0.0"},

		// Policy-template categories.
		{name: "A datastore", fx: a, query: "category=datastore",
			want: "datastream_without_release@0.1.0 example@1.1.0 integration_input@1.0.2 sql_input@0.3.0"},
		{name: "A compute", fx: a, query: "category=compute", want: "input_groups@0.0.1"},
		{name: "B unknown package category", fx: b, query: "category=notacategory", want: ""},
		{name: "B ptcat aws", fx: b, query: "package=ptcat&category=aws", want: ""},

		// Capabilities.
		{name: "A caps obs,sec", fx: a, query: "prerelease=true&capabilities=observability,security", count: 35,
			has: []string{"example@1.2.0-rc1"}, lacks: []string{"foo@1.0.0"}},
		{name: "A caps obs", fx: a, query: "prerelease=true&capabilities=observability", count: 35,
			has: []string{"example@1.1.0"}, lacks: []string{"foo@1.0.0"}},
		{name: "A caps none", fx: a, query: "prerelease=true&capabilities=none", count: 35,
			has: []string{"example@1.1.0"}, lacks: []string{"foo@1.0.0"}},
		{name: "A caps all three", fx: a, query: "prerelease=true&capabilities=security,observability,uptime", count: 36,
			has: []string{"example@1.2.0-rc1", "foo@1.0.0"}},
		{name: "A caps repeated", fx: a, query: "prerelease=true&capabilities=observability&capabilities=security", count: 35,
			has: []string{"example@1.1.0"}, lacks: []string{"foo@1.0.0"}},
		{name: "A caps empty ignored", fx: a, query: "prerelease=true&capabilities=", count: 36},

		// Type.
		{name: "A type integration", fx: a, query: "type=integration&package=integration_input", want: "integration_input@1.0.0"},
		{name: "A type input", fx: a, query: "type=input&package=integration_input", want: "integration_input@1.0.2"},
		{name: "A type content", fx: a, query: "type=content", want: "discovery_empty@0.1.0 good_content@0.1.0"},
		{name: "A type Input", fx: a, query: "type=Input", want: ""},

		// Spec range.
		{name: "A spec range", fx: a, query: "spec.min=1.1&spec.max=2.10&prerelease=true",
			want: "example@1.1.0 foo@1.0.0 nginx_grouped@0.1.0"},
		{name: "A spec max all", fx: a, query: "package=example&spec.max=1.0&all=true",
			want: "example@0.0.2 example@1.0.0 example@1.0.1"},
		{name: "B spec max 3.0", fx: b, query: "package=specpkg&spec.max=3.0", want: "specpkg@1.0.0"},
		{name: "B spec min 3.1", fx: b, query: "spec.min=3.1", want: "specpkg@2.0.0"},
		{name: "B spec empty range", fx: b, query: "spec.min=3.1&spec.max=3.0", want: ""},

		// Discovery.
		{name: "A fields", fx: a, query: "discovery=fields:process.pid", want: "good_content@0.1.0"},
		{name: "A fields superset", fx: a, query: "discovery=fields:process.pid,foo.bar", want: "good_content@0.1.0"},
		{name: "A fields other", fx: a, query: "discovery=fields:foo.bar", want: ""},
		{name: "A fields empty", fx: a, query: "discovery=fields:", want: ""},
		{name: "A datasets", fx: a, query: "discovery=datasets:good_content.errors,nope", want: "good_content@0.1.0"},
		{name: "A datasets none", fx: a, query: "discovery=datasets:nope", want: ""},
		{name: "A discovery and", fx: a, query: "discovery=datasets:good_content.errors&discovery=fields:process.pid", want: "good_content@0.1.0"},
		{name: "A discovery and fails", fx: a, query: "discovery=datasets:good_content.errors&discovery=fields:process.path", want: ""},

		// Cross-indexer quirks.
		{name: "B web leaks cross", fx: b, query: "category=web", want: "cross@1.0.0 ptcat@1.0.0 ptweb@1.0.0 unkcat@1.0.0"},
		{name: "B cross", fx: b, query: "package=cross", want: "cross@2.0.0"},
		{name: "B xi", fx: b, query: "package=xi", want: "xi@1.0.0"},
		{name: "B xi legacy", fx: b, query: "package=xi&experimental=true", want: "xi@2.0.0-beta1"},

		// Ignored and malformed parameters.
		{name: "A internal", fx: a, query: "internal=maybe&package=foo", want: "foo@1.0.0"},
		{name: "A empty values", fx: a, query: "type=&kibana.version=&all=&package=foo", want: "foo@1.0.0"},
		{name: "A empty first prerelease", fx: a, query: "prerelease=&prerelease=true&package=example", want: "example@1.1.0"},
		{name: "A buildmeta order", fx: b, query: "package=buildmeta&all=true", want: "buildmeta@1.0.0+build1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.fx.search(t, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if tc.count == 0 {
				if g := ids(got); g != tc.want {
					t.Errorf("%s\n got: %s\nwant: %s", tc.query, g, tc.want)
				}
				return
			}
			words := strings.Fields(ids(got))
			if len(words) != tc.count {
				t.Errorf("%s: %d results, want %d: %v", tc.query, len(words), tc.count, words)
			}
			for _, h := range tc.has {
				if !slices.Contains(words, h) {
					t.Errorf("%s: %s missing", tc.query, h)
				}
			}
			for _, l := range tc.lacks {
				if slices.Contains(words, l) {
					t.Errorf("%s: %s present", tc.query, l)
				}
			}
		})
	}
}

func policyTemplateNames(p *packages.Package) []string {
	var names []string
	for _, t := range p.PolicyTemplates {
		names = append(names, t.Name)
	}
	return names
}

// Policy-template pruning is exact while matching is
// parent-aware, and never touches the indexed packages.
func TestCategoryPruning(t *testing.T) {
	a, b := fixtureA(t), fixtureB(t)
	cases := []struct {
		fx    fixture
		query string
		want  []string // policy templates of the single result
	}{
		{b, "package=ptcat&category=web", []string{"a"}},
		{b, "package=ptcat&category=security", []string{"b"}},
		{b, "package=ptcat&category=observability", []string{"d"}},
		{b, "package=ptcat&category=custom", []string{"a", "b", "c", "d"}},
		{b, "package=ptweb&category=observability", nil},
		{b, "package=ptweb&category=web", []string{"w"}},
		{b, "package=ptweb&category=aws", []string{"w"}},
		{a, "package=example&category=datastore", []string{"logs"}},
		{a, "package=input_groups&category=compute", []string{"ec2"}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			before := ids(allPackages(tc.fx))
			got, err := tc.fx.search(t, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("want one result, got %s", ids(got))
			}
			if names := policyTemplateNames(got[0]); !reflect.DeepEqual(names, tc.want) {
				t.Errorf("policy templates %v, want %v", names, tc.want)
			}
			// The indexed packages keep all their templates.
			for _, p := range allPackages(tc.fx) {
				if p.Name == "ptcat" && len(p.PolicyTemplates) != 4 {
					t.Errorf("indexed ptcat modified: %v", policyTemplateNames(p))
				}
				if p.Name == "ptweb" && len(p.PolicyTemplates) != 1 {
					t.Errorf("indexed ptweb modified: %v", policyTemplateNames(p))
				}
			}
			if after := ids(allPackages(tc.fx)); after != before {
				t.Errorf("indexed list changed")
			}
		})
	}
}

// A pruned result is a copy; an unpruned one is the indexed package itself.
func TestCategoryFilterCopiesOnlyPruned(t *testing.T) {
	b := fixtureB(t)
	f := &packages.Filter{Category: "web", PackageName: "ptcat"}
	got, err := f.Apply(context.Background(), b[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || slices.Contains(b[1], got[0]) {
		t.Fatalf("pruned result should be a new package value")
	}
	f = &packages.Filter{Category: "custom", PackageName: "ptcat"}
	got, err = f.Apply(context.Background(), b[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !slices.Contains(b[1], got[0]) {
		t.Fatalf("unpruned result should be the indexed package")
	}
}

// Without a usable format_version the whole request fails, with the
// missing bound printed as <nil>; other filters are applied first.
func TestSpecVersionNotSet(t *testing.T) {
	noSpec := newPkg(t, "nospec", "1.0.0", cats("aws"), formatVersion(""))
	other := newPkg(t, "other", "1.0.0", cats("aws"))
	pkgs := packages.Packages{other, noSpec}
	cases := []struct {
		query   string
		wantErr string
	}{
		{"spec.min=1.0", "can't compare spec version for nospec (1.0.0-<nil>): package spec version is not set"},
		{"spec.max=2.10", "can't compare spec version for nospec (<nil>-2.10.0): package spec version is not set"},
		{"spec.min=v1.2&spec.max=3.0", "can't compare spec version for nospec (1.2.0-3.0.0): package spec version is not set"},
		{"spec.min=1.0&package=other", ""},
		{"spec.min=1.0&experimental=true", ""},
		{"", ""},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			_, err := fixture{pkgs}.search(t, tc.query)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// Lookups use the exact version string, including build metadata.
func TestExactVersionLookup(t *testing.T) {
	b := fixtureB(t)
	cases := []struct {
		name, version, want string
	}{
		{"buildmeta", "1.0.0+build1", "buildmeta@1.0.0+build1"},
		{"buildmeta", "1.0.0", ""},
		{"pre", "2.0.0-beta1", "pre@2.0.0-beta1"},
		{"pre", "1.5.0", "pre@1.5.0"},
		{"pre", "0.9.0", "pre@0.9.0"},
		{"cross", "1.0.0", "cross@1.0.0"},
	}
	for _, tc := range cases {
		f := &packages.Filter{PackageName: tc.name, PackageVersion: tc.version, Prerelease: true, AllVersions: true}
		got, err := b.query(t, f)
		if err != nil {
			t.Fatal(err)
		}
		if g := ids(got); g != tc.want {
			t.Errorf("%s %s: got %q, want %q", tc.name, tc.version, g, tc.want)
		}
	}
}

// Legacy (experimental=true) selection details within one indexer.
func TestLegacySelection(t *testing.T) {
	cases := []struct {
		name     string
		versions []string
		all      bool
		want     string
	}{
		{"untagged beats higher tagged", []string{"0.9.0", "1.0.0", "1.5.0", "2.0.0-beta1"}, false, "p@1.5.0"},
		{"0.x untagged beats tagged", []string{"0.1.0", "0.2.0-rc1"}, false, "p@0.1.0"},
		{"only tagged", []string{"1.0.0-rc1", "1.0.0-rc2", "0.9.0-a"}, false, "p@1.0.0-rc2"},
		{"all removes tagged and 0.x", []string{"0.9.0", "1.0.0", "2.0.0-beta1", "2.0.0"}, true, "p@1.0.0 p@2.0.0"},
		{"all keeps without stable", []string{"0.1.0", "0.2.0-rc1", "1.0.0-rc1"}, true, "p@0.1.0 p@0.2.0-rc1 p@1.0.0-rc1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var pkgs packages.Packages
			for _, v := range tc.versions {
				pkgs = append(pkgs, newPkg(t, "p", v, release("experimental")))
			}
			f := &packages.Filter{Experimental: true, AllVersions: tc.all}
			got, err := f.Apply(context.Background(), pkgs)
			if err != nil {
				t.Fatal(err)
			}
			if g := ids(got); g != tc.want {
				t.Errorf("got %s, want %s", g, tc.want)
			}
		})
	}
}

// On equal precedence (build metadata differs) the first indexed wins.
func TestNewestTieKeepsFirst(t *testing.T) {
	first := newPkg(t, "p", "1.0.0+a")
	second := newPkg(t, "p", "1.0.0+b")
	got, err := (&packages.Filter{}).Apply(context.Background(), packages.Packages{first, second})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != first {
		t.Fatalf("got %s, want p@1.0.0+a", ids(got))
	}
}

func TestApplyDoesNotReorderInput(t *testing.T) {
	b := fixtureB(t)
	before := slices.Clone(b[1])
	for _, q := range []string{"", "all=true", "experimental=true", "category=web", "experimental=true&all=true"} {
		if _, err := b.search(t, q); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(before, b[1]) {
		t.Fatal("input list modified")
	}
}
