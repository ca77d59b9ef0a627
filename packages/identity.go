package packages

import (
	"fmt"

	"github.com/Masterminds/semver/v3"
)

// ValidName reports whether name can be a package name in the registry's
// URLs: one or more of a-z, 0-9 and _, the names the /package/{name}/{version}/
// and /epr/…/{name}-{version}.zip routes match (docs/api.md#routes). A name
// outside that set could not be asked for through those routes, and could
// carry "/" or ".." into a URL built from it.
func ValidName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// CheckIdentity tells whether a name and version can identify a package
// that comes from elsewhere (another registry): a valid name and a strict
// semantic version, the rule the routes apply to versions.
func CheckIdentity(name, version string) error {
	if !ValidName(name) {
		return fmt.Errorf("invalid package name %q", name)
	}
	if _, err := semver.StrictNewVersion(version); err != nil {
		return fmt.Errorf("invalid package version %q: %w", version, err)
	}
	return nil
}
