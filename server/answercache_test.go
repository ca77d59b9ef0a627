package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/indexer/indexertest"
	"github.com/eprgo/package-registry/loader"
	"github.com/eprgo/package-registry/packages"
)

// answerCache is the answer cache of a server with a budget of n bytes.
func answerCache(n int) *cache[string, []byte] { return newCaches(n, -1).answers }

func TestCacheGenerations(t *testing.T) {
	c := answerCache(1 << 20)
	c.add(1, "k", []byte("one"))
	if b, ok := c.get(1, "k"); !ok || string(b) != "one" {
		t.Fatalf("get at the same generation: %q %v", b, ok)
	}
	// A newer generation empties the cache.
	if _, ok := c.get(2, "k"); ok {
		t.Fatal("answer of generation 1 served at generation 2")
	}
	// An answer computed from an older generation is never stored.
	c.add(1, "old", []byte("stale"))
	if _, ok := c.get(2, "old"); ok {
		t.Fatal("answer computed at generation 1 stored at generation 2")
	}
	if _, ok := c.get(1, "k"); ok {
		t.Fatal("an older generation is served again")
	}
	c.add(2, "k", []byte("two"))
	if b, _ := c.get(2, "k"); string(b) != "two" {
		t.Fatalf("got %q", b)
	}
}

func TestCacheBudget(t *testing.T) {
	// Room for three entries of 31 bytes and their overhead, not four.
	budget := 100 + 3*entryOverhead
	c := answerCache(budget)
	body := []byte(strings.Repeat("x", 30))
	for i := range 4 {
		c.add(1, fmt.Sprint(i), body)
		// Keep 0 recently used.
		c.get(1, "0")
	}
	if c.used > budget {
		t.Errorf("%d bytes used of %d", c.used, budget)
	}
	if _, ok := c.get(1, "0"); !ok {
		t.Error("recently used entry evicted")
	}
	if _, ok := c.get(1, "1"); ok {
		t.Error("least recently used entry kept")
	}
	c.add(1, "big", make([]byte, budget+1))
	if _, ok := c.get(1, "big"); ok {
		t.Error("an answer larger than the budget is stored")
	}
	if c := newCaches(-1, -1); c.answers != nil || c.aliases != nil || c.docs != nil {
		t.Error("a negative budget must disable the cache")
	}
	var none *cache[string, []byte]
	none.add(1, "k", body)
	if _, ok := none.get(1, "k"); ok {
		t.Error("a nil cache kept an answer")
	}
}

func TestCacheAliases(t *testing.T) {
	c := newCaches(1<<20, -1)
	c.alias(rawQuery{"search", "b=1&a=2"}, "K")
	c.answers.add(1, "K", []byte("body"))
	if b, ok := c.answerByRaw(1, rawQuery{"search", "b=1&a=2"}); !ok || string(b) != "body" {
		t.Fatalf("alias: %q %v", b, ok)
	}
	if _, ok := c.answerByRaw(1, rawQuery{"categories", "b=1&a=2"}); ok {
		t.Error("an alias of /search answered /categories")
	}
	long := strings.Repeat("x", maxAliasedRawSize+1)
	c.alias(rawQuery{"search", long}, "K")
	if _, ok := c.answerByRaw(1, rawQuery{"search", long}); ok {
		t.Error("an over-long query was aliased")
	}
	// Aliases outlive index generations: parsing does not depend on it.
	c.answers.add(2, "K", []byte("body 2"))
	if b, ok := c.answerByRaw(2, rawQuery{"search", "b=1&a=2"}); !ok || string(b) != "body 2" {
		t.Errorf("alias at the next generation: %q %v", b, ok)
	}
	// Whatever clients send, aliases stay within their budget.
	padding := strings.Repeat("x", maxAliasedRawSize-8)
	for i := range aliasCacheBytes/maxAliasedRawSize + 100 {
		c.alias(rawQuery{"search", fmt.Sprintf("%08d", i) + padding}, "K")
	}
	if c.aliases.used > aliasCacheBytes || len(c.aliases.entries) >= aliasCacheBytes/maxAliasedRawSize {
		t.Errorf("%d aliases kept in %d bytes", len(c.aliases.entries), c.aliases.used)
	}
	if _, ok := c.aliases.get(0, rawQuery{"search", "00000000" + padding}); ok {
		t.Error("the least recently used alias was kept")
	}
}

// countingIndexer counts Get calls and shows the wrapped indexer's
// generation through Unwrap, as the metrics wrapper does.
type countingIndexer struct {
	indexer.Indexer
	gets atomic.Int64
}

func (c *countingIndexer) Get(ctx context.Context, opts *indexer.GetOptions) (packages.Packages, error) {
	c.gets.Add(1)
	return c.Indexer.Get(ctx, opts)
}

func (c *countingIndexer) Unwrap() indexer.Indexer { return c.Indexer }

// fsIndexer returns a file-system indexer initialised over the test
// packages, and their folder.
func fsIndexer(t *testing.T) (*indexer.FileSystemIndexer, string) {
	t.Helper()
	dir := indexertest.WriteDirectories(t, t.TempDir())
	fs := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{dir}})
	if err := fs.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return fs, dir
}

func getBody(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	return string(b)
}

// Equivalent queries are answered from one cache entry, and a rescan that
// changes the index is seen by the very next request.
func TestAnswersAreCachedPerGeneration(t *testing.T) {
	ctx := context.Background()
	fs, dir := fsIndexer(t)
	idx := &countingIndexer{Indexer: fs}
	srv := startServer(t, defaultOptions(idx))

	equivalent := []string{
		"/search?prerelease=true&kibana.version=8.1",
		"/search?kibana.version=8.1.0&prerelease=true",
		"/search?prerelease=true&prerelease=false&kibana.version=8.1.0&type=&foo=bar",
	}
	want := getBody(t, srv.URL+equivalent[0])
	for _, target := range append(equivalent, equivalent...) {
		if got := getBody(t, srv.URL+target); got != want {
			t.Errorf("%s: answer differs:\n%s\nwant:\n%s", target, got, want)
		}
	}
	if n := idx.gets.Load(); n != 1 {
		t.Errorf("indexer asked %d times for equivalent queries, want once", n)
	}
	catsWant := getBody(t, srv.URL+"/categories?include_policy_templates=true")
	if got := getBody(t, srv.URL+"/categories?include_policy_templates=1&package=ignored"); got != catsWant {
		t.Errorf("categories answers differ")
	}
	if got := getBody(t, srv.URL+"/categories"); got == catsWant {
		t.Errorf("include_policy_templates is not part of the key")
	}

	// Change the index: the next answer must be the new one.
	manifest := filepath.Join(dir, "gamma", "1.0.0", "manifest.yml")
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(manifest, []byte(strings.Replace(string(data), "The gamma package.", "Changed.", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fs.Rescan(ctx); err != nil {
		t.Fatal(err)
	}
	got := getBody(t, srv.URL+equivalent[1])
	if got == want || !strings.Contains(got, `"description": "Changed."`) {
		t.Errorf("stale answer after a rescan:\n%s", got)
	}
	if doc := getBody(t, srv.URL+"/package/gamma/1.0.0/"); !strings.Contains(doc, `"description": "Changed."`) {
		t.Errorf("stale document after a rescan:\n%s", doc)
	}
}

// Without a generation (other indexers, proxy mode) nothing is cached.
func TestAnswersNotCachedWithoutGeneration(t *testing.T) {
	idx := &countingIndexer{Indexer: listIndexer{pkgs: newFixture(t).pkgs}}
	srv := startServer(t, defaultOptions(idx))
	for range 3 {
		getBody(t, srv.URL+"/search")
	}
	if n := idx.gets.Load(); n != 3 {
		t.Errorf("indexer asked %d times, want 3", n)
	}
}

// The document of a compact package is its stored one, byte for byte what
// rendering the complete package gives.
func TestPackageDocumentFromCompactPackage(t *testing.T) {
	fs, dir := fsIndexer(t)
	srv := startServer(t, defaultOptions(fs))
	full, err := loader.Load(filepath.Join(dir, "gamma", "1.0.0"), loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := packages.MarshalIndentJSON(full)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // decompressed, then from the document cache
		if got := getBody(t, srv.URL+"/package/gamma/1.0.0/"); got != string(want) {
			t.Errorf("document differs:\n%s\nwant:\n%s", got, want)
		}
	}
}

func TestDocCacheBudget(t *testing.T) {
	s := &server{caches: newCaches(-1, 4000)}
	docs := make([]*packages.Doc, 4)
	for i := range docs {
		d, err := packages.RenderDoc(&packages.Package{Name: strings.Repeat(fmt.Sprint(i), 1000)})
		if err != nil {
			t.Fatal(err)
		}
		docs[i] = d
	}
	for _, d := range docs {
		b, err := s.docBytes(d)
		if err != nil || len(b) < 1000 || len(b) > 1200 {
			t.Fatalf("%d bytes, %v", len(b), err)
		}
	}
	if s.docs.used > 4000 || len(s.docs.entries) != 3 {
		t.Errorf("%d bytes in %d entries for a 4000-byte budget", s.docs.used, len(s.docs.entries))
	}
	if _, ok := s.docs.entries[docs[0]]; ok {
		t.Error("least recently used document kept")
	}
	none := &server{caches: newCaches(-1, -1)}
	if b, err := none.docBytes(docs[0]); err != nil || len(b) < 1000 {
		t.Errorf("without a cache: %d bytes, %v", len(b), err)
	}
}

// Clients choose the keys: unique huge queries are answered, correctly,
// but neither cached nor aliased, so they cannot fill the cache's budget
// with their own bytes. Keys up to the limit are still cached.
func TestHugeQueryKeysAreNotCached(t *testing.T) {
	fs, _ := fsIndexer(t)
	idx := &countingIndexer{Indexer: fs}
	s, err := newServer(defaultOptions(idx))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.routes())
	t.Cleanup(srv.Close)

	// Capabilities name what the client supports: packages that need none
	// match whatever the list, so a huge list answers like a short one.
	want := getBody(t, srv.URL+"/search?capabilities=x")
	if want == "[]" {
		t.Fatal("the fixture needs packages for the answers to mean something")
	}
	usedBefore, aliasesBefore, getsBefore := s.answers.used, s.aliases.used, idx.gets.Load()
	const requests = 40
	for i := range requests {
		huge := fmt.Sprintf("%04d", i) + strings.Repeat("y", 64<<10)
		if got := getBody(t, srv.URL+"/search?capabilities=x,"+huge); got != want {
			t.Fatalf("huge key %d: answer differs:\n%s\nwant:\n%s", i, got, want)
		}
		getBody(t, srv.URL+"/search?package="+huge)
	}
	if s.answers.used != usedBefore || s.aliases.used != aliasesBefore {
		t.Errorf("answers %d -> %d bytes, aliases %d -> %d bytes after %d huge queries",
			usedBefore, s.answers.used, aliasesBefore, s.aliases.used, 2*requests)
	}
	if n := idx.gets.Load() - getsBefore; n != 2*requests {
		t.Errorf("indexer asked %d times for %d unique queries", n, 2*requests)
	}

	// Just under the limit, a key is kept and its repetition served from it.
	name := strings.Repeat("z", maxCachedKeySize-len("search\x00package=0000:;")-8)
	getBody(t, srv.URL+"/search?package="+name)
	getsBefore = idx.gets.Load()
	getBody(t, srv.URL+"/search?package="+name)
	if n := idx.gets.Load() - getsBefore; n != 0 {
		t.Errorf("a key of %d bytes was not cached", len(name))
	}
	if s.answers.used <= usedBefore || s.answers.used > usedBefore+entryOverhead+maxCachedKeySize+len("[]") {
		t.Errorf("answers hold %d bytes, %d before one key of about %d bytes", s.answers.used, usedBefore, maxCachedKeySize)
	}
}
