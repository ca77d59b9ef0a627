package packages

import (
	"slices"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// CanonicalKey renders everything the filter's answer depends on, in a fixed
// form: two filters with the same key select the same packages from the same
// index. It is how rendered answers are cached, so requests that differ only in
// parameter order, repeated parameters, ignored or empty parameters, or the
// spelling of a version ("8.1" and "8.1.0") share one entry, since the parsing
// gives them the same filter. Lists with set semantics (capabilities, discovery
// values and filters) are sorted and deduplicated.
func (f *Filter) CanonicalKey() string {
	var b strings.Builder
	flag := func(name string, v bool) {
		if v {
			b.WriteString(name)
			b.WriteByte(';')
		}
	}
	text := func(name, v string) {
		if v != "" {
			b.WriteString(name)
			b.WriteByte('=')
			writeLenPrefixed(&b, v)
			b.WriteByte(';')
		}
	}
	version := func(name string, v *semver.Version) {
		if v != nil {
			text(name, v.String())
		}
	}
	flag("all", f.AllVersions)
	flag("prerelease", f.Prerelease)
	flag("experimental", f.Experimental)
	text("category", f.Category)
	text("package", f.PackageName)
	text("version", f.PackageVersion)
	text("type", f.PackageType)
	version("kibana", f.KibanaVersion)
	version("agent", f.AgentVersion)
	version("spec.min", f.SpecMin)
	version("spec.max", f.SpecMax)
	if f.Capabilities != nil {
		b.WriteString("capabilities=")
		writeSet(&b, f.Capabilities)
		b.WriteByte(';')
	}
	if len(f.Discovery) > 0 {
		filters := make([]string, len(f.Discovery))
		for i, d := range f.Discovery {
			var db strings.Builder
			writeLenPrefixed(&db, d.Kind)
			writeSet(&db, d.Values)
			filters[i] = db.String()
		}
		b.WriteString("discovery=")
		writeSet(&b, filters)
		b.WriteByte(';')
	}
	return b.String()
}

// writeSet writes the distinct values, sorted, each length-prefixed.
func writeSet(b *strings.Builder, values []string) {
	set := slices.Clone(values)
	slices.Sort(set)
	set = slices.Compact(set)
	b.WriteString(strconv.Itoa(len(set)))
	b.WriteByte('[')
	for _, v := range set {
		writeLenPrefixed(b, v)
	}
	b.WriteByte(']')
}

func writeLenPrefixed(b *strings.Builder, v string) {
	b.WriteString(strconv.Itoa(len(v)))
	b.WriteByte(':')
	b.WriteString(v)
}
