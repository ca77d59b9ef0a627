package packages

import (
	"fmt"
	"slices"

	"github.com/Masterminds/semver/v3"
)

// matchVersion is the first step of both pipelines: the filters
// that look at one package version alone. The spec range is checked last so
// that only a version passing everything else can fail the whole request
// (upstream fails on the first candidate package only).
func (f *Filter) matchVersion(p *Package) (bool, error) {
	if f.PackageName != "" && p.Name != f.PackageName {
		return false, nil
	}
	if f.PackageVersion != "" && p.Version != f.PackageVersion {
		return false, nil
	}
	if f.PackageType != "" && p.Type != f.PackageType {
		return false, nil
	}
	if f.KibanaVersion != nil && p.KibanaConstraint != nil && !p.KibanaConstraint.Check(f.KibanaVersion) {
		return false, nil
	}
	if f.Experimental {
		// Legacy mode honours nothing else, as upstream's legacy path.
		return true, nil
	}
	if !f.Prerelease && (p.Release == releaseExperimental || isTagged(p)) {
		return false, nil
	}
	if f.AgentVersion != nil && p.AgentConstraint != nil && !p.AgentConstraint.Check(f.AgentVersion) {
		return false, nil
	}
	if f.Capabilities != nil && !capabilitiesSatisfied(p, f.Capabilities) {
		return false, nil
	}
	for _, d := range f.Discovery {
		if !d.matches(p) {
			return false, nil
		}
	}
	return f.matchSpec(p)
}

const releaseExperimental = "experimental"

// versionOf returns the parsed version; packages always have it after
// InitRuntime, the lenient fallback only protects hand-built values.
func versionOf(p *Package) *semver.Version {
	if p.SemVer != nil {
		return p.SemVer
	}
	v, err := semver.NewVersion(p.Version)
	if err != nil {
		return semver.New(0, 0, 0, "", "")
	}
	return v
}

// isTagged tells whether the version has a semver prerelease part.
func isTagged(p *Package) bool { return versionOf(p).Prerelease() != "" }

// capabilitiesSatisfied: every capability the package requires must be
// available; packages requiring none always pass.
func capabilitiesSatisfied(p *Package, available []string) bool {
	if p.Conditions == nil || p.Conditions.Elastic == nil {
		return true
	}
	for _, c := range p.Conditions.Elastic.Capabilities {
		if !slices.Contains(available, c) {
			return false
		}
	}
	return true
}

// matches applies one discovery parameter: fields must all be
// requested, datasets need one requested; an empty list never passes.
func (d DiscoveryFilter) matches(p *Package) bool {
	if p.Discovery == nil {
		return false
	}
	switch d.Kind {
	case discoveryFields:
		if len(p.Discovery.Fields) == 0 {
			return false
		}
		for _, fl := range p.Discovery.Fields {
			if !slices.Contains(d.Values, fl.Name) {
				return false
			}
		}
		return true
	case discoveryDatasets:
		for _, ds := range p.Discovery.Datasets {
			if slices.Contains(d.Values, ds.Name) {
				return true
			}
		}
	}
	return false
}

const (
	discoveryFields   = "fields"
	discoveryDatasets = "datasets"
)

// matchSpec checks <major>.<minor>.0 of format_version against spec.min and
// spec.max.
func (f *Filter) matchSpec(p *Package) (bool, error) {
	if f.SpecMin == nil && f.SpecMax == nil {
		return true, nil
	}
	if p.SpecMajorMinor == nil {
		return false, fmt.Errorf("can't compare spec version for %s (%s-%s): package spec version is not set",
			p.Name, versionString(f.SpecMin), versionString(f.SpecMax))
	}
	if f.SpecMin != nil && p.SpecMajorMinor.LessThan(f.SpecMin) {
		return false, nil
	}
	if f.SpecMax != nil && p.SpecMajorMinor.GreaterThan(f.SpecMax) {
		return false, nil
	}
	return true, nil
}

// versionString prints a missing bound the way fmt prints a nil pointer.
func versionString(v *semver.Version) string {
	if v == nil {
		return "<nil>"
	}
	return v.String()
}
