package server

import (
	"sync"
	"testing"
)

// mapCache is a ResponseCache without eviction.
type mapCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newMapCache() *mapCache { return &mapCache{m: map[string][]byte{}} }

func (c *mapCache) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return b, ok
}

func (c *mapCache) Add(key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = body
}

func (c *mapCache) has(key string) bool {
	_, ok := c.Get(key)
	return ok
}

func TestResponseCaches(t *testing.T) {
	search, categories := newMapCache(), newMapCache()
	opts := defaultOptions(listIndexer{newFixture(t).pkgs})
	opts.SearchCache, opts.CategoriesCache = search, categories
	srv := startServer(t, opts)

	runCases(t, srv, []httpCase{
		{name: "search", target: "/search", status: 200, golden: "search.json"},
		{name: "one package newest", target: "/search?package=alpha", status: 200, golden: "search-alpha.json"},
		{name: "one package all", target: "/search?package=alpha&all=true", status: 200, anyBody: true},
		{name: "order matters", target: "/search?all=true&package=alpha", status: 200, anyBody: true},
		{name: "invalid", target: "/search?all=maybe", status: 400, anyBody: true},
		{name: "categories", target: "/categories?prerelease=true", status: 200, golden: "categories-prerelease.json"},
	})
	for key, want := range map[string]bool{
		"/search?":                       true,
		"/search?package=alpha":          false,
		"/search?package=alpha&all=true": true,
		"/search?all=true&package=alpha": true,
		"/search?all=maybe":              false,
		"/categories?prerelease=true":    true,
	} {
		cache := search
		if key[1] == 'c' {
			cache = categories
		}
		if got := cache.has(key); got != want {
			t.Errorf("cached %q = %v, want %v", key, got, want)
		}
	}

	// A hit is served before the query is even validated, with the
	// route's usual headers.
	search.Add("/search?all=maybe", []byte("cached search"))
	categories.Add("/categories?", []byte("cached categories"))
	runCases(t, srv, []httpCase{
		{name: "search hit", target: "/search?all=maybe", status: 200, body: "cached search",
			headers: map[string][]string{"Cache-Control": public("600"), "Content-Type": {"application/json"}, "Access-Control-Allow-Origin": corsHeader}},
		{name: "categories hit", target: "/categories", status: 200, body: "cached categories",
			headers: map[string][]string{"Cache-Control": public("600"), "Content-Type": {"application/json"}}},
	})
}
