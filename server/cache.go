package server

import (
	"container/list"
	"sync"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// cache keeps values by key for one index generation at a time, the least
// recently used out once their size passes the budget. It is the server's
// one cache type; the server holds three (newCaches):
//
//   - answers: rendered /search, /categories and package-document bodies
//     of the current index generation (indexer.GenerationOf), by endpoint
//     and the canonical form of the parsed query. An answer is only ever
//     served at the generation it was computed for: the first request
//     that sees a newer generation empties the cache, and a body computed
//     while the index changed is filed under the older one and dropped.
//   - aliases: the canonical key of a raw query, so that a repeated request
//     skips parsing. Query parsing does not depend on the index, so
//     aliases live at generation 0 for ever.
//   - docs: decompressed package documents (packages.Doc), keyed by the
//     *Doc itself: a package whose document changes gets a new Doc, so an
//     entry can never serve another index's document, and entries of
//     packages that left the index just age out. Also generation 0.
//
// They are separate from Options.SearchCache and CategoriesCache, the SQL
// indexer's caches keyed by the raw URL, which stay in front of them.
//
// A nil *cache caches nothing.
type cache[K comparable, V any] struct {
	mu      sync.Mutex
	budget  int
	used    int
	size    func(K, V) int // bytes an entry counts for
	gen     uint64
	entries map[K]*list.Element
	order   list.List // of *cacheEntry[K, V], most recently used first
}

type cacheEntry[K comparable, V any] struct {
	key   K
	value V
}

// Default budgets. A /search?all=true answer is about 1.4 KB per package
// version and takes about a second per 50,000 versions to render, so 256
// MiB keeps it for some 150,000 versions next to the small answers Kibana
// asks for all day (those take a few MiB). 16 MiB of documents is about
// 2,000 of the usual 7 KB, far more than the packages a Fleet deployment
// installs. Aliases are kept for queries of up to 512 bytes, a few MiB at
// most whatever clients send.
//
// Keys are the client's: they count toward the budget like the answers,
// with entryOverhead for the list element, map slot and headers around
// them, so that neither huge keys nor millions of tiny answers ("[]" for
// unknown names) hold more memory than the budget says. A query whose
// canonical key is over maxCachedKeySize is answered but neither cached nor
// aliased: Kibana's queries are under 200 bytes, and one such key would
// otherwise displace hundreds of real answers.
const (
	defaultAnswerCacheBytes = 256 << 20
	defaultDocCacheBytes    = 16 << 20
	aliasCacheBytes         = 4 << 20
	maxAliasedRawSize       = 512
	maxCachedKeySize        = 4 << 10
	entryOverhead           = 128
)

// newCache returns nil (no caching) for a negative budget, a cache of
// fallback bytes for 0.
func newCache[K comparable, V any](budget, fallback int, size func(K, V) int) *cache[K, V] {
	if budget < 0 {
		return nil
	}
	if budget == 0 {
		budget = fallback
	}
	return &cache[K, V]{budget: budget, size: size, entries: map[K]*list.Element{}}
}

// caches are the server's caches (see cache).
type caches struct {
	answers *cache[string, []byte]
	aliases *cache[rawQuery, string]
	docs    *cache[*packages.Doc, []byte]
}

// rawQuery is a request's endpoint and query string as sent (a struct, so
// a lookup needs no concatenation).
type rawQuery struct {
	endpoint string
	query    string
}

// newCaches sizes the caches from Options.AnswerCacheBytes and
// DocCacheBytes; aliases exist only with answers.
func newCaches(answerBytes, docBytes int) caches {
	c := caches{
		answers: newCache(answerBytes, defaultAnswerCacheBytes, func(k string, v []byte) int {
			return entryOverhead + len(k) + len(v)
		}),
		docs: newCache(docBytes, defaultDocCacheBytes, func(_ *packages.Doc, v []byte) int {
			return entryOverhead + len(v)
		}),
	}
	if c.answers != nil {
		c.aliases = newCache(aliasCacheBytes, aliasCacheBytes, func(k rawQuery, v string) int {
			return entryOverhead + len(k.endpoint) + len(k.query) + len(v)
		})
	}
	return c
}

// answerByRaw looks an answer up by the raw query a canonical key was last
// derived from.
func (c caches) answerByRaw(gen uint64, raw rawQuery) ([]byte, bool) {
	key, ok := c.aliases.get(0, raw)
	if !ok {
		return nil, false
	}
	return c.answers.get(gen, key)
}

// alias remembers the canonical key of a raw query, for short queries
// and keys only.
func (c caches) alias(raw rawQuery, key string) {
	if len(raw.query) <= maxAliasedRawSize && cachedKey(key) {
		c.aliases.add(0, raw, key)
	}
}

// cachedKey tells whether answers under a canonical key may be kept (see
// maxCachedKeySize).
func cachedKey(key string) bool { return len(key) <= maxCachedKeySize }

// get returns the value of key at generation gen, if kept.
func (c *cache[K, V]) get(gen uint64, key K) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(gen)
	if gen != c.gen {
		return zero, false
	}
	e, ok := c.entries[key]
	if !ok {
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry[K, V]).value, true
}

// add keeps value under key, computed at generation gen: gen must have
// been read before the index was asked, so that a value computed across a
// change is never kept. A value larger than the whole budget is not kept.
func (c *cache[K, V]) add(gen uint64, key K, value V) {
	if c == nil {
		return
	}
	size := c.size(key, value)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(gen)
	if gen != c.gen || size > c.budget {
		return
	}
	if e, ok := c.entries[key]; ok {
		c.order.MoveToFront(e)
		return
	}
	for c.used+size > c.budget {
		old := c.order.Remove(c.order.Back()).(*cacheEntry[K, V])
		delete(c.entries, old.key)
		c.used -= c.size(old.key, old.value)
	}
	c.entries[key] = c.order.PushFront(&cacheEntry[K, V]{key: key, value: value})
	c.used += size
}

// advance drops everything when the index moved to a newer generation.
func (c *cache[K, V]) advance(gen uint64) {
	if gen <= c.gen {
		return
	}
	c.gen = gen
	clear(c.entries)
	c.order.Init()
	c.used = 0
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

// docBytes returns a package document, decompressing it on a miss.
func (s *server) docBytes(d *packages.Doc) ([]byte, error) {
	if body, ok := s.docs.get(0, d); ok {
		return body, nil
	}
	body, err := d.Bytes()
	if err != nil {
		return nil, err
	}
	s.docs.add(0, d, body)
	return body, nil
}
