package packages

import (
	"testing"

	"github.com/Masterminds/semver/v3"
)

// FuzzVersionParsing covers every place a version or a constraint from a
// request or a manifest is parsed: the query parameters, the strict
// package version, the conditions, and the comparisons the filters make.
func FuzzVersionParsing(f *testing.F) {
	for _, s := range []string{
		"1.0.0", "1.0", "v1.0.0", "01.0.0", "1.0.0-rc1+build.5", "8.x", "^8.12.0 || ~7.17.0",
		">=1.0.0 <2.0.0-0", "*", "", "1.2.3-0.a.01", "9223372036854775808.0.0", ">= 1.2, < 3",
		"1.0.0-" + string(make([]byte, 100)), "=1.0.0 !=1.0.1", "x.X.*", "1.2.3-+", "^0.0.0-0",
	} {
		f.Add(s, "1.2.3")
	}
	versions := []*semver.Version{semver.MustParse("0.0.0-0"), semver.MustParse("1.2.3"), semver.MustParse("8.12.0-SNAPSHOT")}
	f.Fuzz(func(t *testing.T, s, other string) {
		strict, strictErr := semver.StrictNewVersion(s)
		lenient, lenientErr := semver.NewVersion(s)
		if strictErr == nil {
			if lenientErr != nil {
				t.Fatalf("%q: strict parse ok, lenient failed: %v", s, lenientErr)
			}
			if strict.Original() != s || strict.Compare(lenient) != 0 {
				t.Fatalf("%q: strict %v, lenient %v", s, strict, lenient)
			}
		}
		if _, err := parseQueryVersion(s, "Kibana"); (err == nil) != (lenientErr == nil) {
			t.Fatalf("%q: query version error %v, lenient parse %v", s, err, lenientErr)
		}
		if v, err := parseSpecVersion("spec.min", s); err == nil {
			_ = versionString(v)
		}

		// A package carrying the fuzzed strings where manifests put
		// versions: InitRuntime refuses or accepts, and the filter
		// works with what it accepted.
		p := &Package{Name: "p", Version: s, FormatVersion: other, Type: "integration",
			Conditions: &Conditions{Kibana: &KibanaConditions{Version: other}, Agent: &AgentConditions{Version: s}}}
		if err := p.InitRuntime(); err != nil {
			return
		}
		if strictErr != nil {
			t.Fatalf("%q: InitRuntime accepted a version StrictNewVersion refuses", s)
		}
		for _, v := range versions {
			f := &Filter{KibanaVersion: v, AgentVersion: v, SpecMin: v, SpecMax: v, Prerelease: true, AllVersions: true}
			if _, err := f.Apply(t.Context(), Packages{p}); err != nil {
				t.Fatalf("apply: %v", err)
			}
		}
	})
}
