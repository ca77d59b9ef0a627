package server

import (
	"net/http"

	"epr/indexer"
	"epr/packages"
)

// search serves /search (api.md §10.4, search.md).
func (s *server) search(w http.ResponseWriter, r *http.Request) {
	var key string // the SQL indexer's cache (search.md §11)
	if s.opts.SearchCache != nil {
		key = responseCacheKey(r)
	}
	if body, ok := cacheGet(s.opts.SearchCache, key); ok {
		writeJSON(w, s.opts.CacheTimeSearch, body)
		return
	}
	gen, cacheable := s.generation()
	rawKey := rawQuery{"search", r.URL.RawQuery}
	if cacheable {
		if body, ok := s.answers.getRaw(gen, rawKey); ok {
			writeJSON(w, s.opts.CacheTimeSearch, body)
			return
		}
	}
	filter, err := packages.ParseSearchQuery(r.URL.Query(), s.opts.AllowUnknownQueryParameters)
	if err != nil {
		s.fail(w, r, badRequest(err.Error()))
		return
	}
	answerKey := "search\x00" + filter.CanonicalKey()
	if cacheable {
		s.answers.alias(rawKey, answerKey)
		if body, ok := s.answers.get(gen, answerKey); ok {
			writeJSON(w, s.opts.CacheTimeSearch, body)
			return
		}
	}
	pkgs, err := s.opts.Indexer.Get(r.Context(), &indexer.GetOptions{Filter: filter})
	if err != nil {
		s.fail(w, r, indexerNotFound("fetching package failed: "+err.Error()))
		return
	}
	if s.opts.Proxy != nil {
		remote, err := s.opts.Proxy.Search(r)
		if err != nil {
			s.fail(w, r, proxyError("search", err))
			return
		}
		pkgs = mergeSearch(pkgs, remote, filter.AllVersions)
	}
	body, err := packages.SearchJSON(pkgs)
	if err != nil {
		s.fail(w, r, internalError(err))
		return
	}
	if cacheable {
		s.answers.add(gen, answerKey, body)
	}
	// A lookup of one package's newest version is not kept (operations.md
	// §8.6.7): Kibana asks it for every package and it goes stale first.
	if filter.PackageName == "" || filter.AllVersions {
		cacheAdd(s.opts.SearchCache, key, body)
	}
	writeJSON(w, s.opts.CacheTimeSearch, body)
}

// mergeSearch adds the remote results to the local ones, the local entry
// winning for the same name and version, and reduces the union to the
// newest version per name unless all versions were asked for
// (operations.md §9.3).
func mergeSearch(local, remote packages.Packages, allVersions bool) packages.Packages {
	type key struct{ name, version string }
	seen := make(map[key]bool, len(local))
	merged := make(packages.Packages, 0, len(local)+len(remote))
	for _, p := range local {
		seen[key{p.Name, p.Version}] = true
		merged = append(merged, p)
	}
	for _, p := range remote {
		if p == nil || seen[key{p.Name, p.Version}] {
			continue
		}
		seen[key{p.Name, p.Version}] = true
		merged = append(merged, p)
	}
	if allVersions {
		return merged
	}
	return indexer.LatestPerName(merged)
}
