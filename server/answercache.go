package server

import (
	"sync"

	"github.com/eprgo/package-registry/indexer"
)

// defaultAnswerCacheBytes bounds the rendered answers kept per index
// generation. A /search?all=true answer is about 1.4 KB per package
// version and takes about a second per 50,000 versions to render, so the
// bound keeps it for some 150,000 versions next to the small answers
// Kibana asks for all day; it is a bound, the small answers take a few
// MiB.
const defaultAnswerCacheBytes = 256 << 20

// answerCache keeps rendered /search and /categories bodies for the
// current index generation (indexer.GenerationOf), keyed by the endpoint
// and the canonical form of the parsed query, least recently used first
// out. An entry is only ever served at the generation it was computed
// for: the first request that sees a newer generation empties the cache,
// and a body computed while the index changed is dropped.
//
// It is separate from Options.SearchCache and CategoriesCache, the SQL
// indexer's caches keyed by the raw URL (search.md §11), which stay in
// front of it.
type answerCache struct {
	mu      sync.Mutex
	gen     uint64
	answers *byteLRU[string] // by endpoint and canonical key
	// aliases map a raw query to its canonical key, so that a repeated
	// request skips parsing (query parsing does not depend on the index).
	aliases map[rawQuery]string
}

// Aliases are kept for short queries only, and forgotten all at once past
// maxAliases: a few MiB at most, whatever clients send.
const (
	maxAliases        = 8192
	maxAliasedRawSize = 512
)

// newAnswerCache returns nil (no caching) for a negative budget.
func newAnswerCache(budget int) *answerCache {
	if budget < 0 {
		return nil
	}
	if budget == 0 {
		budget = defaultAnswerCacheBytes
	}
	keySize := func(k string) int { return len(k) }
	return &answerCache{answers: newByteLRU(budget, keySize), aliases: map[rawQuery]string{}}
}

// generation returns the index generation to compute an answer at, and
// whether answers can be cached at all: not in proxy mode (the remote
// registry's part changes on its own) and not for indexers without a
// generation.
func (s *server) generation() (uint64, bool) {
	if s.answers == nil || s.opts.Proxy != nil {
		return 0, false
	}
	return indexer.GenerationOf(s.opts.Indexer)
}

// rawQuery is a request's endpoint and query string as sent (a struct, so
// a lookup needs no concatenation).
type rawQuery struct {
	endpoint string
	query    string
}

// getRaw looks an answer up by the raw query a canonical key was last
// derived from.
func (c *answerCache) getRaw(gen uint64, raw rawQuery) ([]byte, bool) {
	c.mu.Lock()
	key, ok := c.aliases[raw]
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	return c.get(gen, key)
}

// alias remembers the canonical key of a raw query.
func (c *answerCache) alias(raw rawQuery, key string) {
	if len(raw.query) > maxAliasedRawSize {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.aliases) >= maxAliases {
		clear(c.aliases)
	}
	c.aliases[raw] = key
}

func (c *answerCache) get(gen uint64, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(gen)
	if gen != c.gen {
		return nil, false
	}
	return c.answers.get(key)
}

// add stores a body computed from the index at gen; gen must have been
// read before the index was asked, so that a body computed across a
// change is filed under the older generation and never served.
func (c *answerCache) add(gen uint64, key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(gen)
	if gen == c.gen {
		c.answers.add(key, body)
	}
}

// advance drops everything when the index moved to a newer generation.
func (c *answerCache) advance(gen uint64) {
	if gen <= c.gen {
		return
	}
	c.gen = gen
	c.answers.clear()
}
