package packages

import (
	"slices"
	"strings"
)

// CategoryCount is one element of the /categories answer (docs/api.md).
type CategoryCount struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Count       int    `json:"count"`
	ParentID    string `json:"parent_id,omitempty"`
	ParentTitle string `json:"parent_title,omitempty"`
}

// CountCategories counts categories over the (newest-per-package) list, as
// /categories does. The result is sorted by id.
func CountCategories(pkgs Packages, includePolicyTemplates bool) []CategoryCount {
	counts := make(map[string]int)
	for _, p := range pkgs {
		for _, c := range p.Categories {
			counts[c]++
		}
		if includePolicyTemplates {
			countPolicyTemplates(p, counts)
		}
	}
	out := make([]CategoryCount, 0, len(counts))
	for id, n := range counts {
		if n > 0 {
			out = append(out, newCategoryCount(id, n))
		}
	}
	slices.SortFunc(out, func(a, b CategoryCount) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// countPolicyTemplates adds the include_policy_templates counts of one package,
// with upstream's counting rules. A lone template without a categories key adds
// nothing; otherwise every template counts the package categories once more, and
// a template-only category counts the package once plus once per template.
func countPolicyTemplates(p *Package, counts map[string]int) {
	if len(p.PolicyTemplates) == 1 && !p.PolicyTemplates[0].HasCategories {
		return
	}
	packageCounted := make(map[string]bool)
	for _, t := range p.PolicyTemplates {
		for _, c := range p.Categories {
			counts[c]++
		}
		for _, c := range t.Categories {
			if !packageCounted[c] && !categoriesMatch(p.Categories, c) {
				packageCounted[c] = true
				counts[c]++
			}
			counts[c]++
		}
	}
}

// newCategoryCount takes title and parent from the catalogue; ids outside
// it (policy-template categories are not filtered) use the id as title.
func newCategoryCount(id string, n int) CategoryCount {
	cc := CategoryCount{ID: id, Title: id, Count: n}
	cat := LookupCategory(id)
	if cat == nil {
		return cc
	}
	cc.Title = cat.Title
	if cat.Parent != "" {
		cc.ParentID = cat.Parent
		if parent := LookupCategory(cat.Parent); parent != nil {
			cc.ParentTitle = parent.Title
		}
	}
	return cc
}

// CategoriesJSON renders a /categories answer; unlike /search an empty
// answer keeps its newline: "[]\n", as upstream sends it.
func CategoriesJSON(counts []CategoryCount) ([]byte, error) {
	if len(counts) == 0 {
		return []byte("[]\n"), nil
	}
	return MarshalIndentJSON(counts)
}
