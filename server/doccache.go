package server

import (
	"container/list"
	"sync"

	"epr/packages"
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
	mu      sync.Mutex
	budget  int
	used    int
	entries map[*packages.Doc]*list.Element
	order   *list.List // of *docEntry, most recently used first
}

type docEntry struct {
	doc  *packages.Doc
	body []byte
}

// newDocCache returns nil (no caching) for a negative budget.
func newDocCache(budget int) *docCache {
	if budget < 0 {
		return nil
	}
	if budget == 0 {
		budget = defaultDocCacheBytes
	}
	return &docCache{budget: budget, entries: map[*packages.Doc]*list.Element{}, order: list.New()}
}

// bytes returns the document, decompressing it on a miss.
func (c *docCache) bytes(d *packages.Doc) ([]byte, error) {
	if c == nil {
		return d.Bytes()
	}
	c.mu.Lock()
	if e, ok := c.entries[d]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*docEntry).body, nil
	}
	c.mu.Unlock()
	body, err := d.Bytes()
	if err != nil {
		return nil, err
	}
	if len(body) > c.budget {
		return body, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[d]; !ok {
		for c.used+len(body) > c.budget {
			e := c.order.Back()
			old := c.order.Remove(e).(*docEntry)
			delete(c.entries, old.doc)
			c.used -= len(old.body)
		}
		c.entries[d] = c.order.PushFront(&docEntry{doc: d, body: body})
		c.used += len(body)
	}
	return body, nil
}
