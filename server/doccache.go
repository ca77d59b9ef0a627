package server

import (
	"sync"

	"github.com/eprgo/package-registry/packages"
)

// defaultDocCacheBytes bounds the decompressed package documents kept in
// memory: about 2,000 documents of the usual 7 KB, far more than the
// packages a Fleet deployment installs.
const defaultDocCacheBytes = 16 << 20

// docCache keeps the decompressed bytes of recently served package
// documents (packages.Doc), least recently used first out. Entries are
// keyed by the *Doc itself: a package whose document changes gets a new
// Doc, so an entry can never serve another index's document, and entries
// of packages that left the index just age out.
type docCache struct {
	mu   sync.Mutex
	docs *byteLRU[*packages.Doc]
}

// newDocCache returns nil (no caching) for a negative budget.
func newDocCache(budget int) *docCache {
	if budget < 0 {
		return nil
	}
	if budget == 0 {
		budget = defaultDocCacheBytes
	}
	keySize := func(*packages.Doc) int { return 0 }
	return &docCache{docs: newByteLRU(budget, keySize)}
}

// bytes returns the document, decompressing it on a miss.
func (c *docCache) bytes(d *packages.Doc) ([]byte, error) {
	if c == nil {
		return d.Bytes()
	}
	c.mu.Lock()
	body, ok := c.docs.get(d)
	c.mu.Unlock()
	if ok {
		return body, nil
	}
	body, err := d.Bytes()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.docs.add(d, body)
	c.mu.Unlock()
	return body, nil
}
