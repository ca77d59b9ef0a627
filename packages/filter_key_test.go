package packages_test

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/eprgo/package-registry/packages"
)

func searchKey(t *testing.T, rawQuery string) string {
	t.Helper()
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		t.Fatal(err)
	}
	f, err := packages.ParseSearchQuery(q, true)
	if err != nil {
		t.Fatalf("%q: %v", rawQuery, err)
	}
	return f.CanonicalKey()
}

func categoriesKey(t *testing.T, rawQuery string) string {
	t.Helper()
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := packages.ParseCategoriesQuery(q, true)
	if err != nil {
		t.Fatalf("%q: %v", rawQuery, err)
	}
	return f.CanonicalKey()
}

// Queries that the parsing rules make equivalent (order, repeats, empty
// values, version spelling) share a key.
func TestCanonicalKeySameAnswer(t *testing.T) {
	cases := []struct{ name, a, b string }{
		{"parameter order", "package=foo&prerelease=true", "prerelease=true&package=foo"},
		{"only the first value counts", "package=foo&package=bar", "package=foo"},
		{"repeated boolean", "prerelease=true&prerelease=false", "prerelease=true"},
		{"empty first value is absent", "prerelease=&prerelease=true", ""},
		{"empty values", "type=&kibana.version=&all=&category=", ""},
		{"false is the default", "all=false&prerelease=0&experimental=F", ""},
		{"boolean spellings", "all=1", "all=TRUE"},
		{"unknown parameters", "foo=bar&include_policy_templates=true", ""},
		{"internal has no effect", "internal=true&internal=maybe", ""},
		{"lenient versions", "kibana.version=8.1", "kibana.version=8.1.0"},
		{"v prefix", "agent.version=v9.2.0", "agent.version=9.2.0"},
		{"spec versions", "spec.min=3.0&spec.max=3.2", "spec.max=3.2&spec.min=3.0"},
		{"capabilities are a set", "capabilities=b,a,b", "capabilities=a,b"},
		{"discovery values are sets", "discovery=fields:b,a,a", "discovery=fields:a,b"},
		{"discovery filters are a set", "discovery=fields:a&discovery=datasets:d&discovery=fields:a", "discovery=datasets:d&discovery=fields:a"},
		{"plus is a space", "package=a+b", "package=a%20b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if a, b := searchKey(t, c.a), searchKey(t, c.b); a != b {
				t.Errorf("%q and %q: keys %q and %q differ", c.a, c.b, a, b)
			}
		})
	}
	// /categories ignores the /search-only parameters.
	if a, b := categoriesKey(t, "package=foo&all=true&category=web&type=input&prerelease=true"), categoriesKey(t, "prerelease=true"); a != b {
		t.Errorf("categories keys %q and %q differ", a, b)
	}
}

// Queries that can select different packages never share a key.
func TestCanonicalKeyDifferentAnswers(t *testing.T) {
	queries := []string{
		"",
		"all=true",
		"prerelease=true",
		"experimental=true",
		"category=web",
		"category=we",
		"package=foo",
		"package=fo",
		"type=input",
		"kibana.version=8.1.0",
		"kibana.version=8.1.0-SNAPSHOT",
		"kibana.version=8.1.0%2Bbuild",
		"agent.version=8.1.0",
		"spec.min=3.0",
		"spec.max=3.0",
		"capabilities=a",
		"capabilities=a,b",
		"capabilities=,",
		"discovery=fields:a",
		"discovery=datasets:a",
		"discovery=fields:a,b",
		"discovery=fields:a&discovery=fields:b",
		"discovery=fields:",
		"package=a&category=b",
		"package=a%3Bcategory%3Db",
	}
	seen := map[string]string{}
	for _, q := range queries {
		k := searchKey(t, q)
		if other, dup := seen[k]; dup {
			t.Errorf("%q and %q share the key %q", q, other, k)
		}
		seen[k] = q
	}
}

// Every field of the filter changes the key: a field added to Filter
// without a place in CanonicalKey fails here (or panics on a type the
// test does not know, which fails too).
func TestCanonicalKeyCoversEveryField(t *testing.T) {
	empty := (&packages.Filter{}).CanonicalKey()
	typ := reflect.TypeFor[packages.Filter]()
	for i := range typ.NumField() {
		field := typ.Field(i)
		f := &packages.Filter{}
		v := reflect.ValueOf(f).Elem().Field(i)
		switch value := v.Addr().Interface().(type) {
		case *bool:
			*value = true
		case *string:
			*value = "x"
		case **semver.Version:
			*value = semver.MustParse("1.2.3")
		case *[]string:
			*value = []string{"x"}
		case *[]packages.DiscoveryFilter:
			*value = []packages.DiscoveryFilter{{Kind: "fields", Values: []string{"x"}}}
		default:
			t.Fatalf("field %s has a type the test does not know: %s", field.Name, field.Type)
		}
		if f.CanonicalKey() == empty {
			t.Errorf("setting %s does not change the key", field.Name)
		}
	}
}
