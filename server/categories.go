package server

import (
	"net/http"
	"sort"

	"epr/indexer"
	"epr/packages"
)

// categories serves /categories (api.md §10.5, search.md §10).
func (s *server) categories(w http.ResponseWriter, r *http.Request) {
	var key string // the SQL indexer's cache (search.md §11)
	if s.opts.CategoriesCache != nil {
		key = responseCacheKey(r)
	}
	if body, ok := cacheGet(s.opts.CategoriesCache, key); ok {
		writeJSON(w, s.opts.CacheTimeCategories, body)
		return
	}
	gen, cacheable := s.generation()
	rawKey := rawQuery{"categories", r.URL.RawQuery}
	if cacheable {
		if body, ok := s.answers.getRaw(gen, rawKey); ok {
			writeJSON(w, s.opts.CacheTimeCategories, body)
			return
		}
	}
	filter, includePolicyTemplates, err := packages.ParseCategoriesQuery(r.URL.Query(), s.opts.AllowUnknownQueryParameters)
	if err != nil {
		s.fail(w, r, badRequest(err.Error()))
		return
	}
	answerKey := "categories\x00" + filter.CanonicalKey()
	if includePolicyTemplates {
		answerKey = "categories+templates\x00" + filter.CanonicalKey()
	}
	if cacheable {
		s.answers.alias(rawKey, answerKey)
		if body, ok := s.answers.get(gen, answerKey); ok {
			writeJSON(w, s.opts.CacheTimeCategories, body)
			return
		}
	}
	pkgs, err := s.opts.Indexer.Get(r.Context(), &indexer.GetOptions{Filter: filter})
	if err != nil {
		s.fail(w, r, indexerNotFound(err.Error()))
		return
	}
	counts := packages.CountCategories(pkgs, includePolicyTemplates)
	if s.opts.Proxy != nil {
		remote, err := s.opts.Proxy.Categories(r)
		if err != nil {
			s.fail(w, r, proxyError("categories", err))
			return
		}
		counts = mergeCategories(counts, remote)
	}
	body, err := categoriesJSON(counts)
	if err != nil {
		s.fail(w, r, internalError(err))
		return
	}
	if cacheable {
		s.answers.add(gen, answerKey, body)
	}
	cacheAdd(s.opts.CategoriesCache, key, body)
	writeJSON(w, s.opts.CacheTimeCategories, body)
}

// mergeCategories adds remote counts to local ones by id; remote-only ids
// keep the remote title and parent. A package present on both sides is
// counted twice, as upstream does (operations.md §9.3).
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

// categoriesJSON renders the list; an empty one is "[]\n" (api.md §9).
func categoriesJSON(counts []packages.CategoryCount) ([]byte, error) {
	if counts == nil {
		counts = []packages.CategoryCount{}
	}
	return packages.MarshalIndentJSON(counts)
}
