package storage

import (
	"fmt"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newTestCache(size int, ttl time.Duration) (*ResponseCache, *fakeClock) {
	clock := &fakeClock{t: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)}
	c := NewResponseCache(size, ttl, nil)
	c.now = clock.now
	return c, clock
}

func TestResponseCacheLRU(t *testing.T) {
	c, _ := newTestCache(2, time.Hour)
	c.Add("/search?a=1", []byte("a"))
	c.Add("/search?b=1", []byte("b"))
	if _, ok := c.Get("/search?a=1"); !ok { // a becomes the most recent
		t.Fatal("a missing")
	}
	c.Add("/search?c=1", []byte("c")) // evicts b
	if _, ok := c.Get("/search?b=1"); ok {
		t.Error("least recently used entry kept")
	}
	for _, k := range []string{"/search?a=1", "/search?c=1"} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%s evicted", k)
		}
	}
	// Replacing an entry does not grow the cache.
	c.Add("/search?c=1", []byte("c2"))
	if body, _ := c.Get("/search?c=1"); string(body) != "c2" || c.Len() != 2 {
		t.Errorf("got %q, %d entries", body, c.Len())
	}
	// Keys are the raw URL: parameter order matters.
	if _, ok := c.Get("/search?1=a"); ok {
		t.Error("unexpected hit")
	}
}

func TestResponseCacheUnbounded(t *testing.T) {
	for _, size := range []int{0, -1} {
		c, _ := newTestCache(size, time.Hour)
		for i := 0; i < 1000; i++ {
			c.Add(fmt.Sprintf("/categories?%d", i), []byte("x"))
		}
		if c.Len() != 1000 {
			t.Errorf("size %d: %d entries", size, c.Len())
		}
	}
}

func TestResponseCacheTTL(t *testing.T) {
	c, clock := newTestCache(10, time.Minute)
	c.Add("/search", []byte("x"))
	clock.t = clock.t.Add(59 * time.Second)
	if _, ok := c.Get("/search"); !ok {
		t.Fatal("expired too early")
	}
	clock.t = clock.t.Add(time.Second)
	if _, ok := c.Get("/search"); ok || c.Len() != 0 {
		t.Fatal("not expired after the TTL")
	}
	// Re-adding restarts the TTL.
	c.Add("/search", []byte("y"))
	clock.t = clock.t.Add(30 * time.Second)
	c.Add("/search", []byte("z"))
	clock.t = clock.t.Add(45 * time.Second)
	if body, ok := c.Get("/search"); !ok || string(body) != "z" {
		t.Errorf("got %q %v", body, ok)
	}

	for _, ttl := range []time.Duration{0, -time.Second} {
		c, clock := newTestCache(10, ttl)
		c.Add("/search", []byte("x"))
		clock.t = clock.t.Add(100 * 365 * 24 * time.Hour)
		if _, ok := c.Get("/search"); !ok {
			t.Errorf("ttl %s: entry expired", ttl)
		}
	}
}

func TestResponseCachePurgeHook(t *testing.T) {
	logger, logs := observedLogger()
	a, _ := newTestCache(10, time.Hour)
	b, _ := newTestCache(10, time.Hour)
	a.Add("/search", []byte("x"))
	b.Add("/categories", []byte("y"))
	PurgeHook(logger, a, nil, b)()
	if a.Len() != 0 || b.Len() != 0 {
		t.Errorf("entries left: %d, %d", a.Len(), b.Len())
	}
	if _, ok := a.Get("/search"); ok {
		t.Error("purged entry served")
	}
	if logs.FilterMessage("Caches purged after updating the index").Len() != 1 {
		t.Error("no purge log")
	}
	a.Add("/search", []byte("again"))
	if body, ok := a.Get("/search"); !ok || string(body) != "again" {
		t.Error("cache unusable after purge")
	}
}

func TestResponseCacheLogs(t *testing.T) {
	logger, logs := observedLogger()
	c := NewResponseCache(1, time.Hour, logger)
	c.Add("/search?a", []byte("a"))
	c.Add("/search?b", []byte("b"))
	c.Get("/search?b")
	added := logs.FilterMessage("added to cache request").All()
	if len(added) != 2 || added[0].ContextMap()["cache.eviction"] != false || added[1].ContextMap()["cache.eviction"] != true ||
		added[1].ContextMap()["cache.url"] != "/search?b" || added[1].ContextMap()["cache.size"] != int64(1) {
		t.Errorf("add logs: %+v", added)
	}
	if logs.FilterMessage("using as response cached request").Len() != 1 {
		t.Error("no hit log")
	}
}
