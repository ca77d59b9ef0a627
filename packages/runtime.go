package packages

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/Masterminds/semver/v3"
)

// Packages is a list of package versions in some order.
type Packages []*Package

// Runtime holds what the registry derives from a package document to filter
// and serve it. It is never serialised.
type Runtime struct {
	SemVer           *semver.Version     // parsed Version (strict)
	KibanaConstraint *semver.Constraints // nil when there is no Kibana condition
	AgentConstraint  *semver.Constraints // nil when there is no Agent condition
	SpecMajorMinor   *semver.Version     // <major>.<minor>.0 of FormatVersion; nil when unset

	// BasePath is where a local package lives: its version directory or
	// its .zip file. Empty for remote packages.
	BasePath string
	// IsZip tells whether BasePath is a zip file.
	IsZip bool
	// Resolver is set by the source of a package that is not on local
	// disk (storage indexers, proxy mode): its handle for serving the
	// package's files, an indexer.RemoteResolver. The model never calls
	// it, so it holds it as an opaque value and stays free of HTTP. Nil for
	// local packages.
	Resolver any
	// Files is the index of a local package's files taken at load (a
	// *loader.Files), through which the server serves them; opaque here
	// for the same reason. Nil for remote packages.
	Files any

	// Doc, when set, is the package's /package/{n}/{v}/ document, and the
	// package itself only holds what filters and /search need (see
	// Compact). Nil means the package is complete: render it.
	Doc *Doc
}

// InitRuntime parses the values every package must have in a usable form:
// the strict version, the Kibana and Agent constraints and the format
// version, which the filters compare. It is used by every loader.
func (p *Package) InitRuntime() error {
	v, err := semver.StrictNewVersion(p.Version)
	if err != nil {
		return fmt.Errorf("invalid package version: %w", err)
	}
	p.SemVer = v
	p.KibanaConstraint = nil
	if p.Conditions != nil && p.Conditions.Kibana != nil {
		c, err := semver.NewConstraint(p.Conditions.Kibana.Version)
		if err != nil {
			return fmt.Errorf("invalid Kibana versions range %s: %w", p.Conditions.Kibana.Version, err)
		}
		p.KibanaConstraint = c
	}
	p.AgentConstraint = nil
	if p.Conditions != nil && p.Conditions.Agent != nil {
		c, err := semver.NewConstraint(p.Conditions.Agent.Version)
		if err != nil {
			return fmt.Errorf("invalid Agent versions range %s: %w", p.Conditions.Agent.Version, err)
		}
		p.AgentConstraint = c
	}
	p.SpecMajorMinor = nil
	if p.FormatVersion != "" {
		fv, err := semver.StrictNewVersion(p.FormatVersion)
		if err != nil {
			return fmt.Errorf("invalid format spec version '%s': %w", p.FormatVersion, err)
		}
		mm := semver.New(fv.Major(), fv.Minor(), 0, "", "")
		p.SpecMajorMinor = mm
	}
	return nil
}

// MarshalJSON writes a free-form value without HTML escaping, so that the
// enclosing document (encoded without HTML escaping) stays byte-exact.
func (v Value) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v.V); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func (v *Value) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &v.V)
}

// MarshalIndentJSON encodes a document the way every JSON route does:
// two-space indentation, no HTML escaping, one trailing newline, the bytes
// upstream sends.
func MarshalIndentJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
