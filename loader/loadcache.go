package loader

import (
	linkedlist "container/list"
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// Cache lets the packages of one index load share the checks that
// depend only on file contents. Versions of a package mostly carry the same
// fields files and ingest pipelines, and parsing them as YAML only to find
// them valid again was the largest part of the start-up time. Only passing
// checks are remembered: a failing one runs again, so its error is always
// the package's own. The zero value is not usable; a nil *Cache caches
// nothing. It is safe for concurrent use.
type Cache struct {
	mu     sync.Mutex
	passed map[contentKey]struct{}
	// trees are recently parsed data stream manifests, most recent
	// first, at most maxCachedTrees.
	trees     map[contentKey]*linkedlist.Element
	treeOrder *linkedlist.List // of *cachedTree
}

// maxCachedTrees bounds the parsed manifests kept: a few MiB, enough for
// the versions of a package loaded around the same time.
const maxCachedTrees = 1024

type cachedTree struct {
	key  contentKey
	tree *yamlMap
}

// contentKey identifies the input of a check: a SHA-256 of a kind tag and
// of every name and content the check reads.
type contentKey [sha256.Size]byte

// NewCache returns an empty cache, to be used for one load and then
// dropped.
func NewCache() *Cache {
	return &Cache{passed: map[contentKey]struct{}{}, trees: map[contentKey]*linkedlist.Element{}, treeOrder: linkedlist.New()}
}

// check runs fn unless a check of the same key passed before.
func (c *Cache) check(key contentKey, fn func() error) error {
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

// mapping parses a YAML mapping document (parseYAMLMapping), or returns
// the tree of an identical document parsed earlier in the load: data
// streams mostly keep their manifest from one version to the next. Trees
// are never modified once built (the decoders only read them and copy
// what they keep), so sharing them is safe. Failures are not kept.
func (c *Cache) mapping(name string, data []byte) (*yamlMap, error) {
	if c == nil {
		return parseYAMLMapping(name, data)
	}
	key := keyOf("yaml-mapping-tree", data)
	c.mu.Lock()
	if e, ok := c.trees[key]; ok {
		c.treeOrder.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*cachedTree).tree, nil
	}
	c.mu.Unlock()
	tree, err := parseYAMLMapping(name, data)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.trees[key]; !ok {
		c.trees[key] = c.treeOrder.PushFront(&cachedTree{key: key, tree: tree})
		if c.treeOrder.Len() > maxCachedTrees {
			old := c.treeOrder.Remove(c.treeOrder.Back()).(*cachedTree)
			delete(c.trees, old.key)
		}
	}
	return tree, nil
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
	loadCache() *Cache
}

// loadCacheOf returns the cache of a loader's file system, or nil.
func loadCacheOf(fsys PackageFS) *Cache {
	if c, ok := fsys.(cachingFS); ok {
		return c.loadCache()
	}
	return nil
}

// withCache is a zip file system carrying the load's cache.
type withCache struct {
	PackageFS
	cache *Cache
}

func (w withCache) loadCache() *Cache { return w.cache }

// forLoading wraps a package file system for the loader: listing for
// directories (zips already answer from memory) and the load's cache.
func forLoading(fsys PackageFS, cache *Cache) PackageFS {
	if d, ok := fsys.(*dirFS); ok {
		return &listedFS{dirFS: d, cache: cache}
	}
	if cache == nil {
		return fsys
	}
	return withCache{PackageFS: fsys, cache: cache}
}
