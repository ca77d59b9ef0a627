package server

import (
	"net/http"
	"net/url"
	"sort"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// categories serves /categories: the categories of the matching packages
// with their counts (parameters in docs/api.md).
func (s *server) categories(w http.ResponseWriter, r *http.Request) error {
	return s.serveQuery(w, r, queryAnswer{
		endpoint: "categories",
		maxAge:   s.opts.CacheTimeCategories,
		sqlCache: s.opts.CategoriesCache,
	}, func(q url.Values) (string, computeAnswer, error) {
		filter, includePolicyTemplates, err := packages.ParseCategoriesQuery(q, s.opts.AllowUnknownQueryParameters)
		if err != nil {
			return "", nil, err
		}
		key := filter.CanonicalKey()
		if includePolicyTemplates {
			key = "templates\x00" + key
		}
		return key, func(r *http.Request) ([]byte, bool, error) {
			body, err := s.categoriesBody(r, filter, includePolicyTemplates)
			return body, true, err
		}, nil
	})
}

// categoriesBody computes a /categories answer.
func (s *server) categoriesBody(r *http.Request, filter *packages.Filter, includePolicyTemplates bool) ([]byte, error) {
	pkgs, err := s.opts.Indexer.Get(r.Context(), &indexer.GetOptions{Filter: filter})
	if err != nil {
		return nil, indexerNotFound(err.Error())
	}
	counts := packages.CountCategories(pkgs, includePolicyTemplates)
	if s.opts.Proxy != nil {
		remote, err := s.opts.Proxy.Categories(r)
		if err != nil {
			return nil, proxyError("categories", err)
		}
		counts = mergeCategories(counts, remote)
	}
	body, err := categoriesJSON(counts)
	if err != nil {
		return nil, internalError(err)
	}
	return body, nil
}

// mergeCategories adds remote counts to local ones by id; remote-only ids
// keep the remote title and parent. A package present on both sides is
// counted twice, as upstream's proxy mode does.
func mergeCategories(local, remote []packages.CategoryCount) []packages.CategoryCount {
	merged := make([]packages.CategoryCount, len(local), len(local)+len(remote))
	copy(merged, local)
	index := make(map[string]int, len(merged))
	for i, c := range merged {
		index[c.ID] = i
	}
	for _, c := range remote {
		if i, ok := index[c.ID]; ok {
			merged[i].Count += c.Count
			continue
		}
		index[c.ID] = len(merged)
		merged = append(merged, c)
	}
	sort.SliceStable(merged, func(i, j int) bool { return merged[i].ID < merged[j].ID })
	return merged
}

// categoriesJSON renders the list; an empty one is "[]\n" (unlike the
// empty /search answer, "[]" without a newline: both are upstream's).
func categoriesJSON(counts []packages.CategoryCount) ([]byte, error) {
	if counts == nil {
		counts = []packages.CategoryCount{}
	}
	return packages.MarshalIndentJSON(counts)
}
