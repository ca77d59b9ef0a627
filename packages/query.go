package packages

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// A paramParser reads one query parameter into the filter. It receives
// every value of the parameter; most use only the first, as upstream does.
type paramParser func(f *Filter, values []string) error

// commonParams are known to both /search and /categories.
var commonParams = map[string]paramParser{
	"kibana.version": firstValue(func(f *Filter, v string) (err error) {
		f.KibanaVersion, err = parseQueryVersion(v, "Kibana")
		return err
	}),
	"agent.version": firstValue(func(f *Filter, v string) (err error) {
		f.AgentVersion, err = parseQueryVersion(v, "agent")
		return err
	}),
	"prerelease": firstValue(func(f *Filter, v string) (err error) {
		f.Prerelease, err = parseQueryBool("prerelease", v)
		return err
	}),
	"experimental": firstValue(func(f *Filter, v string) (err error) {
		f.Experimental, err = parseQueryBool("experimental", v)
		return err
	}),
	"capabilities": firstValue(func(f *Filter, v string) error {
		f.Capabilities = strings.Split(v, ",")
		return nil
	}),
	"spec.min": firstValue(func(f *Filter, v string) (err error) {
		f.SpecMin, err = parseSpecVersion("spec.min", v)
		return err
	}),
	"spec.max": firstValue(func(f *Filter, v string) (err error) {
		f.SpecMax, err = parseSpecVersion("spec.max", v)
		return err
	}),
	"discovery": parseDiscovery,
}

// searchOnlyParams are known to /search only; /categories treats them as
// unknown.
var searchOnlyParams = map[string]paramParser{
	"package": firstValue(func(f *Filter, v string) error {
		f.PackageName = v
		return nil
	}),
	"category": firstValue(func(f *Filter, v string) error {
		f.Category = v
		return nil
	}),
	"type": firstValue(func(f *Filter, v string) error {
		f.PackageType = v
		return nil
	}),
	"all": firstValue(func(f *Filter, v string) (err error) {
		f.AllVersions, err = parseQueryBool("all", v)
		return err
	}),
	// internal is kept so that old clients do not break; it has no effect.
	"internal": func(*Filter, []string) error { return nil },
}

const includePolicyTemplatesParam = "include_policy_templates"

// ParseSearchQuery builds the filter of a /search request.
//
// Upstream validates the parameters in Go map order, so with several bad
// parameters its error is random. We validate in byte-wise key order
// to answer identical requests identically.
func ParseSearchQuery(q url.Values, allowUnknown bool) (*Filter, error) {
	f := &Filter{}
	for _, key := range sortedKeys(q) {
		parse := commonParams[key]
		if parse == nil {
			parse = searchOnlyParams[key]
		}
		if err := applyParam(f, key, q[key], parse, allowUnknown); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// ParseCategoriesQuery builds the filter of a /categories request and reports
// include_policy_templates, which is validated only after every other parameter
// passed, as upstream orders its checks. Keys are checked in byte-wise order, as
// in ParseSearchQuery.
func ParseCategoriesQuery(q url.Values, allowUnknown bool) (*Filter, bool, error) {
	f := &Filter{}
	for _, key := range sortedKeys(q) {
		if key == includePolicyTemplatesParam {
			continue
		}
		if err := applyParam(f, key, q[key], commonParams[key], allowUnknown); err != nil {
			return nil, false, err
		}
	}
	include := false
	if v := q.Get(includePolicyTemplatesParam); v != "" {
		var err error
		if include, err = parseQueryBool(includePolicyTemplatesParam, v); err != nil {
			return nil, false, err
		}
	}
	return f, include, nil
}

// applyParam runs the parser of a known key, or rejects an unknown key in
// strict mode (even with an empty value).
func applyParam(f *Filter, key string, values []string, parse paramParser, allowUnknown bool) error {
	if parse == nil {
		if allowUnknown {
			return nil
		}
		return &QueryError{Msg: fmt.Sprintf("unknown query parameter: %q", key)}
	}
	return parse(f, values)
}

func sortedKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// firstValue adapts a single-value parser: only the first value counts and
// an empty one means the parameter is absent.
func firstValue(parse func(f *Filter, v string) error) paramParser {
	return func(f *Filter, values []string) error {
		if len(values) == 0 || values[0] == "" {
			return nil
		}
		return parse(f, values[0])
	}
}

func parseQueryBool(name, v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, &QueryError{Msg: fmt.Sprintf("invalid '%s' query param: '%s'", name, v)}
	}
	return b, nil
}

// parseQueryVersion parses kibana.version / agent.version leniently (8.1 reads
// as 8.1.0); who is "Kibana" or "agent", as the messages capitalise them.
func parseQueryVersion(v, who string) (*semver.Version, error) {
	ver, err := semver.NewVersion(v)
	if err != nil {
		return nil, &QueryError{Msg: fmt.Sprintf("invalid %s version '%s': %s", who, v, err)}
	}
	return ver, nil
}

// parseSpecVersion accepts <major>.<minor> only, then parses it leniently.
func parseSpecVersion(name, v string) (*semver.Version, error) {
	if strings.Count(v, ".") != 1 {
		return nil, &QueryError{Msg: fmt.Sprintf(
			"invalid '%s' version: invalid version '%s': it should be <major.version>", name, v)}
	}
	ver, err := semver.NewVersion(v)
	if err != nil {
		return nil, &QueryError{Msg: fmt.Sprintf(
			"invalid '%s' version: invalid spec version '%s': %s", name, v, err)}
	}
	return ver, nil
}

// parseDiscovery reads every discovery value (fields:a,b or datasets:c);
// unlike the other
// parameters an empty value is an error.
func parseDiscovery(f *Filter, values []string) error {
	for _, v := range values {
		kind, list, ok := strings.Cut(v, ":")
		if !ok {
			return &QueryError{Msg: fmt.Sprintf(
				"invalid 'discovery' query param: '%s': could not parse filter %q", v, v)}
		}
		if kind != discoveryFields && kind != discoveryDatasets {
			return &QueryError{Msg: fmt.Sprintf(
				"invalid 'discovery' query param: '%s': unknown discovery filter %q", v, kind)}
		}
		f.Discovery = append(f.Discovery, DiscoveryFilter{Kind: kind, Values: strings.Split(list, ",")})
	}
	return nil
}
