package server

import (
	"net/http"
	"net/url"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// search serves /search: the newest matching version of each package, or
// every matching version with all=true (parameters in docs/api.md).
func (s *server) search(w http.ResponseWriter, r *http.Request) error {
	return s.serveQuery(w, r, queryAnswer{
		endpoint: "search",
		maxAge:   s.opts.CacheTimeSearch,
		sqlCache: s.opts.SearchCache,
	}, func(q url.Values) (string, computeAnswer, error) {
		filter, err := packages.ParseSearchQuery(q, s.opts.AllowUnknownQueryParameters)
		if err != nil {
			return "", nil, err
		}
		return filter.CanonicalKey(), func(r *http.Request) ([]byte, bool, error) {
			body, err := s.searchBody(r, filter)
			// A lookup of one package's newest version is not kept
			// by the SQL cache, as upstream's cache skips it: Kibana
			// asks it for every package and it goes stale first.
			return body, filter.PackageName == "" || filter.AllVersions, err
		}, nil
	})
}

// searchBody computes a /search answer.
func (s *server) searchBody(r *http.Request, filter *packages.Filter) ([]byte, error) {
	pkgs, err := s.opts.Indexer.Get(r.Context(), &indexer.GetOptions{Filter: filter})
	if err != nil {
		return nil, indexerNotFound("fetching package failed: " + err.Error())
	}
	if s.opts.Proxy != nil {
		remote, err := s.opts.Proxy.Search(r)
		if err != nil {
			return nil, proxyError("search", err)
		}
		pkgs = mergeSearch(pkgs, remote, filter.AllVersions)
	}
	body, err := packages.SearchJSON(pkgs)
	if err != nil {
		return nil, internalError(err)
	}
	return body, nil
}

// mergeSearch adds the remote results to the local ones, the local entry
// winning for the same name and version, and reduces the union to the
// newest version per name unless all versions were asked for, as
// upstream's proxy mode does.
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
