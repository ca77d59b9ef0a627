package packages

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// LoadCache lets the packages of one index load share the checks that
// depend only on file contents. Versions of a package mostly carry the same
// fields files and ingest pipelines, and parsing them as YAML only to find
// them valid again was the largest part of the start-up time. Only passing
// checks are remembered: a failing one runs again, so its error is always
// the package's own. The zero value is not usable; a nil *LoadCache caches
// nothing. It is safe for concurrent use.
type LoadCache struct {
	mu     sync.Mutex
	passed map[contentKey]struct{}
}

// contentKey identifies the input of a check: a SHA-256 of a kind tag and
// of every name and content the check reads.
type contentKey [sha256.Size]byte

// NewLoadCache returns an empty cache, to be used for one load and then
// dropped.
func NewLoadCache() *LoadCache {
	return &LoadCache{passed: map[contentKey]struct{}{}}
}

// check runs fn unless a check of the same key passed before.
func (c *LoadCache) check(key contentKey, fn func() error) error {
	if c == nil {
		return fn()
	}
	c.mu.Lock()
	_, ok := c.passed[key]
	c.mu.Unlock()
	if ok {
		return nil
	}
	if err := fn(); err != nil {
		return err
	}
	c.mu.Lock()
	c.passed[key] = struct{}{}
	c.mu.Unlock()
	return nil
}

// keyOf hashes a kind tag and a list of parts, each length-prefixed so that
// different splits cannot collide.
func keyOf(kind string, parts ...[]byte) contentKey {
	h := sha256.New()
	var n [8]byte
	for _, p := range append([][]byte{[]byte(kind)}, parts...) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write(p)
	}
	var k contentKey
	h.Sum(k[:0])
	return k
}

// cachingFS is a loader's file system that carries the load's cache.
type cachingFS interface {
	loadCache() *LoadCache
}

// loadCacheOf returns the cache of a loader's file system, or nil.
func loadCacheOf(fsys PackageFS) *LoadCache {
	if c, ok := fsys.(cachingFS); ok {
		return c.loadCache()
	}
	return nil
}

// withCache is a zip file system carrying the load's cache.
type withCache struct {
	PackageFS
	cache *LoadCache
}

func (w withCache) loadCache() *LoadCache { return w.cache }

// forLoading wraps a package file system for the loader: listing for
// directories (zips already answer from memory) and the load's cache.
func forLoading(fsys PackageFS, cache *LoadCache) PackageFS {
	if d, ok := fsys.(*dirFS); ok {
		return &listedFS{dirFS: d, cache: cache}
	}
	if cache == nil {
		return fsys
	}
	return withCache{PackageFS: fsys, cache: cache}
}
