package server

import "container/list"

// byteLRU keeps byte slices by key, the least recently used out once
// their size passes the budget. It does not lock: its owners (answerCache,
// docCache) hold their own mutex around it, with the state they keep
// beside it.
type byteLRU[K comparable] struct {
	budget  int
	used    int
	keySize func(K) int // bytes a key counts for
	entries map[K]*list.Element
	order   list.List // of *lruEntry[K], most recently used first
}

type lruEntry[K comparable] struct {
	key  K
	body []byte
}

func newByteLRU[K comparable](budget int, keySize func(K) int) *byteLRU[K] {
	return &byteLRU[K]{budget: budget, keySize: keySize, entries: map[K]*list.Element{}}
}

func (c *byteLRU[K]) get(key K) ([]byte, bool) {
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry[K]).body, true
}

// add keeps body under key, unless it alone is larger than the budget.
func (c *byteLRU[K]) add(key K, body []byte) {
	size := c.keySize(key) + len(body)
	if size > c.budget {
		return
	}
	if e, ok := c.entries[key]; ok {
		c.order.MoveToFront(e)
		return
	}
	for c.used+size > c.budget {
		old := c.order.Remove(c.order.Back()).(*lruEntry[K])
		delete(c.entries, old.key)
		c.used -= c.keySize(old.key) + len(old.body)
	}
	c.entries[key] = c.order.PushFront(&lruEntry[K]{key: key, body: body})
	c.used += size
}

func (c *byteLRU[K]) clear() {
	clear(c.entries)
	c.order.Init()
	c.used = 0
}
