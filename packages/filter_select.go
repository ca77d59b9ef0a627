package packages

// newerFunc reports whether candidate should replace current as the
// selected version of a package.
type newerFunc func(candidate, current *Package) bool

// plainNewer is the standard choice of the newest version: higher semver
// precedence wins, build metadata ignored, ties keep the earlier version.
func plainNewer(candidate, current *Package) bool {
	return versionOf(candidate).GreaterThan(versionOf(current))
}

// legacyNewer is the legacy (experimental=true) stability preference: a version
// without a prerelease tag beats a tagged one; otherwise plain precedence.
func legacyNewer(candidate, current *Package) bool {
	ct, cur := isTagged(candidate), isTagged(current)
	if ct != cur {
		return !ct
	}
	return plainNewer(candidate, current)
}

// selectNewest keeps one version per name, in the order in which the names
// first appear.
func selectNewest(pkgs Packages, newer newerFunc) Packages {
	index := make(map[string]int, len(pkgs))
	var out Packages
	for _, p := range pkgs {
		i, seen := index[p.Name]
		if !seen {
			index[p.Name] = len(out)
			out = append(out, p)
			continue
		}
		if newer(p, out[i]) {
			out[i] = p
		}
	}
	return out
}

// legacyRemoveUnstable is the legacy all=true rule: a name with
// at least one untagged version of major >= 1 loses its tagged and 0.x
// versions; other names keep everything.
func legacyRemoveUnstable(pkgs Packages) Packages {
	hasStable := make(map[string]bool)
	for _, p := range pkgs {
		if isStable(p) {
			hasStable[p.Name] = true
		}
	}
	var out Packages
	for _, p := range pkgs {
		if hasStable[p.Name] && !isStable(p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func isStable(p *Package) bool {
	return !isTagged(p) && versionOf(p).Major() > 0
}
