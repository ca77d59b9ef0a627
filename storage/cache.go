package storage

import (
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"go.uber.org/zap"
)

// ResponseCache keeps finished /search or /categories bodies of the SQL
// storage indexer, so that a repeated query skips the database: least
// recently used entries are evicted beyond size, entries expire after ttl,
// and everything is purged after each index swap so that no answer of the
// previous index is served. The bookkeeping is golang-lru's expirable LRU;
// this type adds the log lines. It implements server.ResponseCache.
type ResponseCache struct {
	lru    *expirable.LRU[string, []byte]
	logger *zap.Logger
}

// minTTL is the shortest expiry the library accepts: it sweeps expired
// entries on a ticker of ttl/100, and a zero ticker period panics. Shorter
// TTLs are rounded up to it; nobody can tell 50 ns from 100 ns.
const minTTL = 100 * time.Nanosecond

// NewResponseCache returns an empty cache. size ≤ 0 means unbounded, ttl ≤ 0
// means entries never expire. logger may be nil.
func NewResponseCache(size int, ttl time.Duration, logger *zap.Logger) *ResponseCache {
	if logger == nil {
		logger = zap.NewNop()
	}
	if ttl > 0 {
		ttl = max(ttl, minTTL)
	}
	return &ResponseCache{
		lru:    expirable.NewLRU[string, []byte](max(size, 0), nil, ttl),
		logger: logger,
	}
}

// Get returns the body stored for key, if it has not expired.
func (c *ResponseCache) Get(key string) ([]byte, bool) {
	body, ok := c.lru.Get(key)
	if !ok {
		// The library keeps an expired entry until its periodic sweep;
		// dropping it here keeps the logged cache.size to live entries. An
		// entry re-added meanwhile by another request may go too, which
		// costs one miss.
		c.lru.Remove(key)
		return nil, false
	}
	c.logger.Debug("using as response cached request", zap.String("cache.url", key), zap.Int("cache.size", c.lru.Len()))
	return body, true
}

// Add stores body under key, replacing any previous entry and restarting
// its TTL, and evicts the least recently used entry when the cache is over
// its size.
func (c *ResponseCache) Add(key string, body []byte) {
	evicted := c.lru.Add(key, body)
	c.logger.Debug("added to cache request", zap.String("cache.url", key), zap.Int("cache.size", c.lru.Len()), zap.Bool("cache.eviction", evicted))
}

// Purge drops every entry.
func (c *ResponseCache) Purge() {
	c.lru.Purge()
}

// Len is the number of entries, expired ones included until looked up or
// swept.
func (c *ResponseCache) Len() int {
	return c.lru.Len()
}

// PurgeHook returns the SQL indexer's after-swap hook: it empties the given
// caches (nil ones are skipped), so no answer of the previous index is
// served once the new one is current.
func PurgeHook(logger *zap.Logger, caches ...*ResponseCache) func() {
	if logger == nil {
		logger = zap.NewNop()
	}
	return func() {
		for _, c := range caches {
			if c != nil {
				c.Purge()
			}
		}
		logger.Debug("Caches purged after updating the index")
	}
}
