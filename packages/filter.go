package packages

import (
	"context"

	"github.com/Masterminds/semver/v3"
)

// Filter selects package versions for /search, /categories and lookups
// (docs/api.md describes the parameters). The zero value keeps the newest
// non-prerelease, non-experimental version of every package; lookups of one
// exact version set PackageName, PackageVersion, Prerelease and AllVersions.
type Filter struct {
	AllVersions    bool
	Category       string
	Prerelease     bool
	KibanaVersion  *semver.Version
	AgentVersion   *semver.Version
	PackageName    string
	PackageVersion string // exact version string; used by lookups
	PackageType    string
	Capabilities   []string // nil when the parameter was not given
	SpecMin        *semver.Version
	SpecMax        *semver.Version
	Discovery      []DiscoveryFilter
	Experimental   bool // legacy pipeline: experimental=true
}

// DiscoveryFilter is one `discovery=<kind>:<list>` parameter.
type DiscoveryFilter struct {
	Kind   string // "fields" or "datasets"
	Values []string
}

// QueryError is a bad query parameter: the handlers answer 400 with its
// message.
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }

// Apply runs the filter pipeline over the packages of one indexer:
// per-version filters, newest-version selection, category filter with
// policy-template pruning (standard or legacy mode). The input is not
// modified; pruned packages are returned as copies. A nil filter keeps
// everything. The only error is the spec comparison failure of a package
// without a usable format_version (see matchSpec).
func (f *Filter) Apply(ctx context.Context, pkgs Packages) (Packages, error) {
	if f == nil {
		return append(Packages(nil), pkgs...), nil
	}
	var kept Packages
	for _, p := range pkgs {
		ok, err := f.matchVersion(p)
		if err != nil {
			return nil, err
		}
		if ok {
			kept = append(kept, p)
		}
	}
	switch {
	case f.Experimental && f.AllVersions:
		kept = legacyRemoveUnstable(kept)
	case f.Experimental:
		kept = selectNewest(kept, legacyNewer)
	case !f.AllVersions:
		kept = selectNewest(kept, plainNewer)
	}
	if f.Category == "" {
		return kept, nil
	}
	return filterCategory(kept, f.Category), nil
}
