package packages

import (
	"context"
	"errors"
	"net/url"

	"github.com/Masterminds/semver/v3"
)

// Filter selects package versions for /search, /categories and lookups
// (search.md §4–§6). The zero value matches every version, newest only.
type Filter struct {
	AllVersions    bool
	Category       string
	Prerelease     bool
	KibanaVersion  *semver.Version
	AgentVersion   *semver.Version
	PackageName    string
	PackageVersion string // exact version string; used by lookups
	PackageType    string
	Capabilities   []string
	SpecMin        *semver.Version
	SpecMax        *semver.Version
	Discovery      []DiscoveryFilter
	Experimental   bool // legacy pipeline (search.md §5)
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
// modified; pruned packages are returned as copies.
func (f *Filter) Apply(ctx context.Context, pkgs Packages) (Packages, error) {
	return nil, errors.New("not implemented")
}

// ParseSearchQuery builds the filter of a /search request.
func ParseSearchQuery(q url.Values, allowUnknown bool) (*Filter, error) {
	return nil, errors.New("not implemented")
}

// ParseCategoriesQuery builds the filter of a /categories request and
// reports include_policy_templates.
func ParseCategoriesQuery(q url.Values, allowUnknown bool) (*Filter, bool, error) {
	return nil, false, errors.New("not implemented")
}
