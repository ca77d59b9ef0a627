package packages

import "errors"

// CategoryCount is one element of the /categories answer (search.md §10.3).
type CategoryCount struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Count       int    `json:"count"`
	ParentID    string `json:"parent_id,omitempty"`
	ParentTitle string `json:"parent_title,omitempty"`
}

// SearchJSON renders a /search answer: sorted by name then version,
// each package projected to the search summary (search.md §9). An empty
// list renders as "[]" without a newline.
func SearchJSON(pkgs Packages) ([]byte, error) {
	return nil, errors.New("not implemented")
}

// CountCategories counts categories over the (newest-per-package) list, as
// /categories does (search.md §10). The result is sorted by id.
func CountCategories(pkgs Packages, includePolicyTemplates bool) []CategoryCount {
	return nil
}
