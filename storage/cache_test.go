package storage

import (
	"fmt"
	"testing"
	"time"
)

func newTestCache(size int, ttl time.Duration) *ResponseCache {
	return NewResponseCache(size, ttl, nil)
}

func TestResponseCacheLRU(t *testing.T) {
	c := newTestCache(2, time.Hour)
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
		c := newTestCache(size, time.Hour)
		for i := 0; i < 1000; i++ {
			c.Add(fmt.Sprintf("/categories?%d", i), []byte("x"))
		}
		if c.Len() != 1000 {
			t.Errorf("size %d: %d entries", size, c.Len())
		}
	}
}

// TestResponseCacheTTL runs on the wall clock: the library reads time.Now
// itself. The TTL is long enough that a busy machine does not make the
// "still there" checks flaky.
func TestResponseCacheTTL(t *testing.T) {
	const ttl = time.Second
	t.Run("expiry", func(t *testing.T) {
		t.Parallel()
		c := newTestCache(10, ttl)
		c.Add("/search", []byte("x"))
		if _, ok := c.Get("/search"); !ok {
			t.Fatal("expired too early")
		}
		time.Sleep(ttl + 100*time.Millisecond)
		if _, ok := c.Get("/search"); ok || c.Len() != 0 {
			t.Fatal("not expired after the TTL")
		}
		// Re-adding restarts the TTL.
		c.Add("/search", []byte("y"))
		time.Sleep(ttl * 6 / 10)
		c.Add("/search", []byte("z"))
		time.Sleep(ttl * 6 / 10)
		if body, ok := c.Get("/search"); !ok || string(body) != "z" {
			t.Errorf("got %q %v", body, ok)
		}
	})
	// A TTL of zero or below means no expiry, not an entry expired at once.
	for _, never := range []time.Duration{0, -time.Second} {
		t.Run("ttl "+never.String(), func(t *testing.T) {
			t.Parallel()
			c := newTestCache(10, never)
			c.Add("/search", []byte("x"))
			time.Sleep(ttl + 100*time.Millisecond)
			if _, ok := c.Get("/search"); !ok {
				t.Errorf("ttl %s: entry expired", never)
			}
		})
	}
	// The shortest TTLs work instead of stopping the library's sweeper.
	t.Run("ttl 1ns", func(t *testing.T) {
		t.Parallel()
		c := newTestCache(10, time.Nanosecond)
		c.Add("/search", []byte("x"))
		time.Sleep(time.Millisecond)
		if _, ok := c.Get("/search"); ok {
			t.Error("entry kept past a 1ns TTL")
		}
	})
}

func TestResponseCachePurgeHook(t *testing.T) {
	logger, logs := observedLogger()
	a := newTestCache(10, time.Hour)
	b := newTestCache(10, time.Hour)
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
