package packages_test

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("query %q: %v", raw, err)
	}
	return q
}

func wantQueryError(t *testing.T, err error, want string) {
	t.Helper()
	var qe *packages.QueryError
	if !errors.As(err, &qe) {
		t.Fatalf("error %v (%T), want *QueryError %q", err, err, want)
	}
	if qe.Error() != want {
		t.Fatalf("error\n got: %s\nwant: %s", qe.Error(), want)
	}
}

// Every 400 message of the query parameters, on both endpoints where the
// parameter is known.
func TestParseQueryErrors(t *testing.T) {
	long := strings.Repeat("1", 257)
	common := []struct {
		query, want string
	}{
		{"kibana.version=abc", "invalid Kibana version 'abc': invalid semantic version"},
		{"kibana.version=8.0.0.0", "invalid Kibana version '8.0.0.0': invalid semantic version"},
		{"kibana.version=1.2.3-", "invalid Kibana version '1.2.3-': invalid semantic version"},
		{"kibana.version=1.2.3%2B", "invalid Kibana version '1.2.3+': invalid semantic version"},
		{"kibana.version=1.2.3+", "invalid Kibana version '1.2.3 ': invalid semantic version"},
		{"kibana.version=1.2.3-01", "invalid Kibana version '1.2.3-01': version segment starts with 0"},
		{"kibana.version=99999999999999999999", `invalid Kibana version '99999999999999999999': error parsing version segment: strconv.ParseUint: parsing "99999999999999999999": value out of range`},
		{"kibana.version=" + long, "invalid Kibana version '" + long + "': version string is too long (max 256 bytes)"},
		{"kibana.version=abc&kibana.version=8.0.0", "invalid Kibana version 'abc': invalid semantic version"},
		{"agent.version=x.y", "invalid agent version 'x.y': invalid semantic version"},
		{"agent.version=1.0.0-00", "invalid agent version '1.0.0-00': version segment starts with 0"},
		{"prerelease=x", "invalid 'prerelease' query param: 'x'"},
		{"prerelease=yes", "invalid 'prerelease' query param: 'yes'"},
		{"prerelease=tRUE", "invalid 'prerelease' query param: 'tRUE'"},
		{"prerelease=maybe&prerelease=true", "invalid 'prerelease' query param: 'maybe'"},
		{"experimental=foo", "invalid 'experimental' query param: 'foo'"},
		{"spec.max=2.10.1", "invalid 'spec.max' version: invalid version '2.10.1': it should be <major.version>"},
		{"spec.min=1", "invalid 'spec.min' version: invalid version '1': it should be <major.version>"},
		{"spec.min=1.2.3", "invalid 'spec.min' version: invalid version '1.2.3': it should be <major.version>"},
		{"spec.min=a.b", "invalid 'spec.min' version: invalid spec version 'a.b': invalid semantic version"},
		{"spec.max=1.x", "invalid 'spec.max' version: invalid spec version '1.x': invalid semantic version"},
		{"discovery=foo", `invalid 'discovery' query param: 'foo': could not parse filter "foo"`},
		{"discovery=", `invalid 'discovery' query param: '': could not parse filter ""`},
		{"discovery=bar:baz", `invalid 'discovery' query param: 'bar:baz': unknown discovery filter "bar"`},
		{"discovery=fields:a&discovery=nope", `invalid 'discovery' query param: 'nope': could not parse filter "nope"`},
		{"discovery=%22q%22", `invalid 'discovery' query param: '"q"': could not parse filter "\"q\""`},
	}
	for _, tc := range common {
		t.Run("search "+tc.query, func(t *testing.T) {
			_, err := packages.ParseSearchQuery(mustQuery(t, tc.query), true)
			wantQueryError(t, err, tc.want)
		})
		t.Run("categories "+tc.query, func(t *testing.T) {
			_, _, err := packages.ParseCategoriesQuery(mustQuery(t, tc.query), true)
			wantQueryError(t, err, tc.want)
		})
	}

	searchOnly := []struct {
		query, want string
	}{
		{"all=maybe", "invalid 'all' query param: 'maybe'"},
		{"all=zz&prerelease=zz", "invalid 'all' query param: 'zz'"},
		// Byte-wise key order decides between two bad parameters.
		{"prerelease=zz&all=zz", "invalid 'all' query param: 'zz'"},
		{"spec.min=1&kibana.version=x", "invalid Kibana version 'x': invalid semantic version"},
	}
	for _, tc := range searchOnly {
		t.Run("search "+tc.query, func(t *testing.T) {
			_, err := packages.ParseSearchQuery(mustQuery(t, tc.query), true)
			wantQueryError(t, err, tc.want)
		})
	}

	categoriesOnly := []struct {
		query, want string
	}{
		{"include_policy_templates=foo", "invalid 'include_policy_templates' query param: 'foo'"},
		{"include_policy_templates=maybe&include_policy_templates=true", "invalid 'include_policy_templates' query param: 'maybe'"},
		// include_policy_templates is validated after everything else.
		{"include_policy_templates=foo&prerelease=x", "invalid 'prerelease' query param: 'x'"},
		{"agent.version=bad&include_policy_templates=foo", "invalid agent version 'bad': invalid semantic version"},
	}
	for _, tc := range categoriesOnly {
		t.Run("categories "+tc.query, func(t *testing.T) {
			_, _, err := packages.ParseCategoriesQuery(mustQuery(t, tc.query), true)
			wantQueryError(t, err, tc.want)
		})
	}
}

// Which keys are unknown to which endpoint, in strict and
// default mode.
func TestParseQueryUnknownParameters(t *testing.T) {
	cases := []struct {
		endpoint string
		query    string
		want     string // strict-mode error; "" = accepted in strict mode
	}{
		{"search", "package=yamlpipeline&unknown=true", `unknown query parameter: "unknown"`},
		{"search", "Package=foo", `unknown query parameter: "Package"`},
		{"search", "include_policy_templates=true", `unknown query parameter: "include_policy_templates"`},
		{"search", "=x", `unknown query parameter: ""`},
		{"search", "x", `unknown query parameter: "x"`},
		{"search", "a%0Ab=1", `unknown query parameter: "a\nb"`},
		{"search", "unknown=", `unknown query parameter: "unknown"`},
		// Keys are checked in byte-wise order: "all" < "zzz".
		{"search", "zzz=1&all=bad", "invalid 'all' query param: 'bad'"},
		{"search", "aaa=1&all=bad", `unknown query parameter: "aaa"`},
		{"search", "internal=maybe", ""},
		{"search", "package=a&category=b&type=c&all=1&internal=x&kibana.version=8&agent.version=8&prerelease=1&experimental=0&capabilities=a&spec.min=1.0&spec.max=2.0&discovery=fields:a", ""},
		{"categories", "category=web", `unknown query parameter: "category"`},
		{"categories", "package=foo", `unknown query parameter: "package"`},
		{"categories", "type=input", `unknown query parameter: "type"`},
		{"categories", "all=true", `unknown query parameter: "all"`},
		{"categories", "internal=true", `unknown query parameter: "internal"`},
		{"categories", "zzz=1&include_policy_templates=bad", `unknown query parameter: "zzz"`},
		{"categories", "include_policy_templates=true&kibana.version=8&agent.version=8&prerelease=1&experimental=0&capabilities=a&spec.min=1.0&spec.max=2.0&discovery=datasets:a", ""},
	}
	for _, tc := range cases {
		t.Run(tc.endpoint+" "+tc.query, func(t *testing.T) {
			parse := func(allowUnknown bool) error {
				q := mustQuery(t, tc.query)
				if tc.endpoint == "search" {
					_, err := packages.ParseSearchQuery(q, allowUnknown)
					return err
				}
				_, _, err := packages.ParseCategoriesQuery(q, allowUnknown)
				return err
			}
			err := parse(false)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("strict mode: %v", err)
				}
			} else {
				wantQueryError(t, err, tc.want)
			}
			// Default mode never rejects a key.
			if err := parse(true); err != nil && strings.HasPrefix(err.Error(), "unknown") {
				t.Fatalf("default mode: %v", err)
			}
		})
	}
}

// The filter built from valid queries.
func TestParseSearchQueryValues(t *testing.T) {
	cases := []struct {
		query string
		check func(t *testing.T, f *packages.Filter)
	}{
		{"", func(t *testing.T, f *packages.Filter) {
			if !reflect.DeepEqual(f, &packages.Filter{}) {
				t.Errorf("defaults: %+v", f)
			}
		}},
		{"package=pre&package=kib&category=web&type=input", func(t *testing.T, f *packages.Filter) {
			if f.PackageName != "pre" || f.Category != "web" || f.PackageType != "input" {
				t.Errorf("%+v", f)
			}
		}},
		{"prerelease=true&prerelease=false&all=T&experimental=1", func(t *testing.T, f *packages.Filter) {
			if !f.Prerelease || !f.AllVersions || !f.Experimental {
				t.Errorf("%+v", f)
			}
		}},
		{"prerelease=False&all=0&experimental=f", func(t *testing.T, f *packages.Filter) {
			if f.Prerelease || f.AllVersions || f.Experimental {
				t.Errorf("%+v", f)
			}
		}},
		{"prerelease=&prerelease=true", func(t *testing.T, f *packages.Filter) {
			if f.Prerelease {
				t.Errorf("empty first value must be absent: %+v", f)
			}
		}},
		{"kibana.version=v8&agent.version=01.2.3", func(t *testing.T, f *packages.Filter) {
			if f.KibanaVersion.String() != "8.0.0" || f.AgentVersion.String() != "1.2.3" {
				t.Errorf("%v %v", f.KibanaVersion, f.AgentVersion)
			}
		}},
		{"capabilities=a,,b&capabilities=c", func(t *testing.T, f *packages.Filter) {
			if !reflect.DeepEqual(f.Capabilities, []string{"a", "", "b"}) {
				t.Errorf("%q", f.Capabilities)
			}
		}},
		{"capabilities=", func(t *testing.T, f *packages.Filter) {
			if f.Capabilities != nil {
				t.Errorf("%q", f.Capabilities)
			}
		}},
		{"spec.min=v1.2&spec.max=1.2-rc", func(t *testing.T, f *packages.Filter) {
			if f.SpecMin.String() != "1.2.0" || f.SpecMax.String() != "1.2.0-rc" {
				t.Errorf("%v %v", f.SpecMin, f.SpecMax)
			}
		}},
		{"discovery=fields:a,,b&discovery=datasets:x:y&discovery=fields:", func(t *testing.T, f *packages.Filter) {
			want := []packages.DiscoveryFilter{
				{Kind: "fields", Values: []string{"a", "", "b"}},
				{Kind: "datasets", Values: []string{"x:y"}},
				{Kind: "fields", Values: []string{""}},
			}
			if !reflect.DeepEqual(f.Discovery, want) {
				t.Errorf("%+v", f.Discovery)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			f, err := packages.ParseSearchQuery(mustQuery(t, tc.query), false)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, f)
		})
	}
}

func TestParseCategoriesQueryValues(t *testing.T) {
	cases := []struct {
		query   string
		include bool
		want    packages.Filter
	}{
		{"", false, packages.Filter{}},
		{"include_policy_templates=true", true, packages.Filter{}},
		{"include_policy_templates=&include_policy_templates=true", false, packages.Filter{}},
		{"include_policy_templates=1&prerelease=t&experimental=TRUE", true, packages.Filter{Prerelease: true, Experimental: true}},
		// Search-only parameters are ignored by default.
		{"package=foo&category=web&type=input&all=true&internal=x", false, packages.Filter{}},
		{"all=maybe", false, packages.Filter{}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			f, include, err := packages.ParseCategoriesQuery(mustQuery(t, tc.query), true)
			if err != nil {
				t.Fatal(err)
			}
			if include != tc.include || !reflect.DeepEqual(*f, tc.want) {
				t.Errorf("got %+v include=%v, want %+v include=%v", *f, include, tc.want, tc.include)
			}
		})
	}
}
