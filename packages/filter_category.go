package packages

import "slices"

// filterCategory is the last pipeline step, after the newest versions are
// chosen, so that a category never brings back an older version: keep versions
// whose own categories match, or whose policy templates match; the latter
// are returned as copies with the templates pruned to exact matches.
func filterCategory(pkgs Packages, category string) Packages {
	var out Packages
	for _, p := range pkgs {
		if categoriesMatch(p.Categories, category) {
			out = append(out, p)
			continue
		}
		if !policyTemplatesMatch(p.PolicyTemplates, category) {
			continue
		}
		out = append(out, withPrunedPolicyTemplates(p, category))
	}
	return out
}

// categoriesMatch is the parent-aware match: the list holds the category
// itself or one of its subcategories in the catalogue.
func categoriesMatch(list []string, category string) bool {
	for _, c := range list {
		if c == category {
			return true
		}
		if known := LookupCategory(c); known != nil && known.Parent == category {
			return true
		}
	}
	return false
}

func policyTemplatesMatch(templates []PolicyTemplate, category string) bool {
	for i := range templates {
		if categoriesMatch(templates[i].Categories, category) {
			return true
		}
	}
	return false
}

// withPrunedPolicyTemplates copies p (the original is shared by concurrent
// requests) keeping only the templates that list category exactly; the
// pruning is deliberately not parent-aware, so the copy may have none.
func withPrunedPolicyTemplates(p *Package, category string) *Package {
	cp := *p
	cp.PolicyTemplates = nil
	for _, t := range p.PolicyTemplates {
		if slices.Contains(t.Categories, category) {
			cp.PolicyTemplates = append(cp.PolicyTemplates, t)
		}
	}
	return &cp
}
