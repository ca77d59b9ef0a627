package packages

// PropagateDeprecations applies package-level deprecation the way every
// indexer does after (re)indexing:
// per name, the notice of the highest version that declares one is
// remembered in memory and set on every version of that name, replacing the
// versions' own notices.
//
// memory belongs to one indexer and is never cleared, so a notice outlives
// the removal of the deprecated version until restart; a reindex in which
// some version of the name still declares a notice replaces it. pkgs must be
// freshly loaded (their Deprecated still the manifest's), since it is
// modified in place before the packages are published.
func PropagateDeprecations(pkgs Packages, memory map[string]*Deprecated) {
	highest := make(map[string]*Package)
	for _, p := range pkgs {
		if p.Deprecated == nil {
			continue
		}
		if cur, ok := highest[p.Name]; !ok || versionOf(p).GreaterThan(versionOf(cur)) {
			highest[p.Name] = p
		}
	}
	for name, p := range highest {
		memory[name] = p.Deprecated
	}
	for _, p := range pkgs {
		if d, ok := memory[p.Name]; ok {
			p.Deprecated = d
		}
	}
}
