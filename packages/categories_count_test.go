package packages_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

func countsString(counts []packages.CategoryCount) string {
	var s []string
	for _, c := range counts {
		s = append(s, fmt.Sprintf("%s=%d", c.ID, c.Count))
	}
	return strings.Join(s, " ")
}

// The default /categories answer of fixture A, byte-exact as upstream sends it.
func TestCategoriesJSONFixtureA(t *testing.T) {
	got, err := packages.CategoriesJSON(fixtureA(t).categories(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if want := readGolden(t, "categories_fixture_a.json"); !bytes.Equal(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestCategoriesJSONEmpty(t *testing.T) {
	for _, counts := range [][]packages.CategoryCount{nil, {}} {
		got, err := packages.CategoriesJSON(counts)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != "[]\n" {
			t.Errorf("got %q, want %q", got, "[]\n")
		}
	}
}

// The /categories counts of the fixtures, worked out by hand.
func TestCategoriesWorkedExamples(t *testing.T) {
	a, b := fixtureA(t), fixtureB(t)
	const aDefault = "aws=2 azure=2 cloud=1 containers=1 crm=2 custom=26 datastore=3 message_queue=1 monitoring=2 support=1 web=5"
	cases := []struct {
		fx    fixture
		query string
		want  string
	}{
		{a, "", aDefault},
		{a, "all=true", aDefault},
		{a, "category=web", aDefault},
		{a, "package=example", aDefault},
		{a, "type=input", aDefault},
		{a, "prerelease=true", "aws=2 azure=2 cloud=2 containers=1 crm=2 custom=26 datastore=3 message_queue=1 monitoring=3 support=1 web=5"},
		{a, "experimental=true", "aws=2 azure=2 cloud=1 containers=1 crm=2 custom=26 datastore=3 message_queue=1 monitoring=3 support=1 web=5"},
		{a, "kibana.version=6.5.2", "aws=1 containers=1 custom=8 datastore=1 message_queue=1 monitoring=1 web=1"},
		{a, "agent.version=9.1.0", "aws=2 azure=2 cloud=1 containers=1 crm=2 custom=25 datastore=3 message_queue=1 monitoring=2 support=1 web=4"},
		{a, "include_policy_templates=true", "aws=3 azure=3 cloud=2 compute=2 containers=1 crm=3 custom=30 datastore=5 message_queue=1 monitoring=2 support=1 web=5"},
		{a, "discovery=fields:nonexistent", ""},
		{a, "discovery=fields:process.pid&prerelease=true", "web=1"},
		{b, "", "aws=13 custom=1 observability=1 web=1"},
		{b, "include_policy_templates=true", "aws=17 custom=6 observability=3 security=2 web=5"},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			if got := countsString(tc.fx.categories(t, tc.query)); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// Titles and parents come from the catalogue; ids outside it use the id.
func TestCategoryCountTitles(t *testing.T) {
	counts := fixtureA(t).categories(t, "include_policy_templates=true")
	want := map[string]packages.CategoryCount{
		"compute": {ID: "compute", Title: "compute", Count: 2},
		"web":     {ID: "web", Title: "Web Server", Count: 5, ParentID: "observability", ParentTitle: "Observability"},
		"crm":     {ID: "crm", Title: "CRM", Count: 3},
	}
	for _, c := range counts {
		if w, ok := want[c.ID]; ok {
			if c != w {
				t.Errorf("got %+v, want %+v", c, w)
			}
			delete(want, c.ID)
		}
	}
	if len(want) != 0 {
		t.Errorf("missing %v", want)
	}
}

// The include_policy_templates counting rules, one package at a time.
func TestCountPolicyTemplateRules(t *testing.T) {
	cases := []struct {
		name string
		pkg  *packages.Package
		want string
	}{
		{"lone template without key", newPkg(t, "p", "1.0.0", cats("aws"), ptNoKey("a")), "aws=1"},
		{"lone template with empty list", newPkg(t, "p", "1.0.0", cats("aws"), pt("a")), "aws=2"},
		{"two templates without key", newPkg(t, "p", "1.0.0", cats("aws"), ptNoKey("a"), ptNoKey("b")), "aws=3"},
		{"no templates", newPkg(t, "p", "1.0.0", cats("aws", "web")), "aws=1 web=1"},
		{"ptcat", newPkg(t, "p", "1.0.0", cats("custom"), pt("a", "web"), pt("b", "security", "custom"), ptNoKey("c"), pt("d", "observability")),
			"custom=6 observability=2 security=2 web=2"},
		// The package is counted once under a template-only category, then
		// once per template listing it.
		{"category on two templates", newPkg(t, "p", "1.0.0", cats("aws"), pt("a", "web"), pt("b", "web")), "aws=3 web=3"},
		// A parent listed on a template matches a package subcategory, so
		// the package is not counted again under the parent.
		{"parent of package category", newPkg(t, "p", "1.0.0", cats("web"), pt("a", "observability")), "observability=1 web=2"},
		{"unknown template category", newPkg(t, "p", "1.0.0", pt("a", "compute")), "compute=2"},
		{"no package categories", newPkg(t, "p", "1.0.0", ptNoKey("a"), ptNoKey("b")), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := countsString(packages.CountCategories(packages.Packages{tc.pkg}, true)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// Subcategories are not rolled up into their parents.
func TestCountCategoriesNoRollUp(t *testing.T) {
	pkgs := packages.Packages{
		newPkg(t, "a", "1.0.0", cats("web")),
		newPkg(t, "b", "1.0.0", cats("monitoring", "custom_logs")),
	}
	counts := packages.CountCategories(pkgs, false)
	if got, want := countsString(counts), "custom_logs=1 monitoring=1 web=1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if counts[0].ParentID != "custom" || counts[0].ParentTitle != "Custom" {
		t.Errorf("custom_logs parent: %+v", counts[0])
	}
}
