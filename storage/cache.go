package storage

import (
	"container/list"
	"sync"
	"time"

	"go.uber.org/zap"
)

// ResponseCache keeps finished /search or /categories bodies of the SQL
// storage indexer (operations.md §8.6.7): least recently used entries are
// evicted beyond size, entries expire after ttl, and everything is purged
// after each index swap. It implements server.ResponseCache.
type ResponseCache struct {
	size   int           // ≤ 0: unbounded
	ttl    time.Duration // ≤ 0: entries never expire
	logger *zap.Logger
	now    func() time.Time

	mu      sync.Mutex
	order   *list.List // front = most recently used
	entries map[string]*list.Element
}

type cacheEntry struct {
	key     string
	body    []byte
	expires time.Time // zero: never
}

// NewResponseCache returns an empty cache. logger may be nil.
func NewResponseCache(size int, ttl time.Duration, logger *zap.Logger) *ResponseCache {
	if logger == nil {
		logger = zap.NewNop()
	}
	return &ResponseCache{
		size:    size,
		ttl:     ttl,
		logger:  logger,
		now:     time.Now,
		order:   list.New(),
		entries: make(map[string]*list.Element),
	}
}

// Get returns the body stored for key, if it has not expired.
func (c *ResponseCache) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !e.expires.IsZero() && !c.now().Before(e.expires) {
		c.remove(el)
		return nil, false
	}
	c.order.MoveToFront(el)
	c.logger.Debug("using as response cached request", zap.String("cache.url", key), zap.Int("cache.size", c.order.Len()))
	return e.body, true
}

// Add stores body under key, replacing any previous entry, and evicts the
// least recently used entry when the cache is over its size.
func (c *ResponseCache) Add(key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var expires time.Time
	if c.ttl > 0 {
		expires = c.now().Add(c.ttl)
	}
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*cacheEntry)
		e.body, e.expires = body, expires
		c.order.MoveToFront(el)
	} else {
		c.entries[key] = c.order.PushFront(&cacheEntry{key: key, body: body, expires: expires})
	}
	evicted := false
	for c.size > 0 && c.order.Len() > c.size {
		c.remove(c.order.Back())
		evicted = true
	}
	c.logger.Debug("added to cache request", zap.String("cache.url", key), zap.Int("cache.size", c.order.Len()), zap.Bool("cache.eviction", evicted))
}

// Purge drops every entry.
func (c *ResponseCache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.entries)
}

// Len is the number of entries, expired ones included until looked up.
func (c *ResponseCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

func (c *ResponseCache) remove(el *list.Element) {
	c.order.Remove(el)
	delete(c.entries, el.Value.(*cacheEntry).key)
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
