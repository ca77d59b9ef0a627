package storage

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest/observer"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

type testIndexer struct {
	*Indexer
	metrics *countingMetrics
	logs    *observer.ObservedLogs
}

func newTestIndexer(t *testing.T, f *fakeGCS, incremental bool, interval time.Duration) *testIndexer {
	t.Helper()
	logger, logs := observedLogger()
	m := &countingMetrics{}
	i := NewIndexer(f.client, IndexerOptions{
		Options: Options{
			Bucket:        f.bucketOption(),
			Endpoint:      "http://127.0.0.1:9/",
			WatchInterval: interval,
			Logger:        logger,
			Metrics:       m.hooks(),
		},
		Incremental: incremental,
	})
	t.Cleanup(func() { i.Close(context.Background()) })
	return &testIndexer{Indexer: i, metrics: m, logs: logs}
}

func (ti *testIndexer) all(t *testing.T) packages.Packages {
	t.Helper()
	pkgs, err := ti.Get(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func (ti *testIndexer) mustUpdate(t *testing.T) {
	t.Helper()
	if err := ti.update(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestIndexerInitialLoad(t *testing.T) {
	for _, root := range []string{"", "some/root"} {
		t.Run("root="+root, func(t *testing.T) {
			f := newFakeGCS(t, root)
			f.publishIndex("1", "index-a.json")
			f.setCursor("1")
			ti := newTestIndexer(t, f, false, 0)
			if err := ti.Init(context.Background()); err != nil {
				t.Fatal(err)
			}
			pkgs := ti.all(t)
			if k := keys(pkgs); !sameStrings(k, indexAKeys) {
				t.Fatalf("got %v", k)
			}
			for _, p := range pkgs {
				if p.Resolver != ti.resolver || p.BasePath != "" {
					t.Errorf("%s@%s not bound to the storage resolver", p.Name, p.Version)
				}
			}
			// Deprecation propagates from the highest deprecated version.
			for _, p := range []*packages.Package{find(pkgs, "multi", "1.0.0"), find(pkgs, "multi", "1.2.0")} {
				if p.Deprecated == nil || p.Deprecated.Description != "Use sec instead" {
					t.Errorf("multi %s deprecated = %+v", p.Version, p.Deprecated)
				}
			}
			entries := ti.logs.FilterMessage("Downloaded new search-index-all index").All()
			if len(entries) != 1 || entries[0].ContextMap()["index.packages.size"] != "11" {
				t.Errorf("download log: %+v", entries)
			}
			if s, fl, _ := ti.metrics.snapshot(); s != 1 || fl != 0 {
				t.Errorf("success %d, failed %d", s, fl)
			}
			if !sameInts(ti.metrics.indexed, []int{11}) {
				t.Errorf("gauge %v", ti.metrics.indexed)
			}
		})
	}
}

func TestIndexerGetCopiesAndFilters(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ti := newTestIndexer(t, f, false, 0)
	if err := ti.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	all := ti.all(t)
	all[0], all[1] = all[1], all[0] // callers may reorder what they get
	if k := keys(ti.all(t)); !sameStrings(k, indexAKeys) {
		t.Fatalf("the index was changed through a Get result: %v", k)
	}
	got, err := ti.Get(context.Background(), &indexer.GetOptions{Filter: &packages.Filter{PackageName: "apache"}})
	if err != nil {
		t.Fatal(err)
	}
	if k := keys(got); !sameStrings(k, []string{"apache@1.1.0"}) {
		t.Errorf("filtered: %v", k)
	}
	if ti.metrics.gets["StorageIndexer"] != 3 {
		t.Errorf("get hook called %d times", ti.metrics.gets["StorageIndexer"])
	}
}

func TestIndexerCursorUnchanged(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ti := newTestIndexer(t, f, false, 0)
	if err := ti.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := ti.all(t)
	// Even a changed index is not read again while the cursor stays.
	f.publishIndex("1", "index-b.json")
	ti.mustUpdate(t)
	after := ti.all(t)
	for i := range before {
		if before[i] != after[i] {
			t.Fatal("the index was reloaded although the cursor did not change")
		}
	}
	if n := ti.logs.FilterMessage("Downloaded new search-index-all index").Len(); n != 1 {
		t.Errorf("%d download logs", n)
	}
	if s, fl, d := ti.metrics.snapshot(); s != 1 || fl != 0 || d != 2 {
		t.Errorf("success %d, failed %d, durations %d", s, fl, d)
	}
}

func TestIndexerFullUpdate(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ti := newTestIndexer(t, f, false, 0)
	if err := ti.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := ti.all(t)
	f.publishIndex("2", "index-b.json")
	f.setCursor("2")
	ti.mustUpdate(t)

	pkgs := ti.all(t)
	want := []string{"apache@1.0.0", "apache@1.1.0", "apache@2.0.0-beta1", "beta_tool@0.1.0", "multi@1.0.0",
		"multi@1.2.0", "sec@3.0.0", "tie@1.0.0+build1", "tie@1.0.0+build2", "solo@1.0.0", "fresh@0.0.1"}
	if k := keys(pkgs); !sameStrings(k, want) {
		t.Fatalf("got %v", k)
	}
	if title := *find(pkgs, "apache", "1.1.0").Title; title != "Apache HTTP Server UPDATED" {
		t.Errorf("title %q", title)
	}
	// No version of multi is deprecated any more in revision 2, but the
	// memory of the notice stays until restart, as upstream's does.
	if d := find(pkgs, "multi", "1.2.0").Deprecated; d == nil || d.Description != "Use sec instead" {
		t.Errorf("deprecation forgotten: %+v", d)
	}
	// The previous answer is untouched.
	if k := keys(old); !sameStrings(k, indexAKeys) {
		t.Errorf("old list changed: %v", k)
	}
	if s, _, _ := ti.metrics.snapshot(); s != 2 || !sameInts(ti.metrics.indexed, []int{11, 11}) {
		t.Errorf("success %d, gauge %v", s, ti.metrics.indexed)
	}
}

// Without incremental mode only full indexes count: a revision with just a
// delta fails, and the previous index stays in service.
func TestIndexerFullModeIgnoresDeltas(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ti := newTestIndexer(t, f, false, 0)
	if err := ti.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.publishDelta("2", "delta-add.json")
	f.setCursor("2")
	err := ti.update(context.Background())
	if err == nil || !strings.Contains(err.Error(), "can't load the search-index-all index content") ||
		!strings.Contains(err.Error(), "object doesn't exist") {
		t.Fatalf("got %v", err)
	}
	if k := keys(ti.all(t)); !sameStrings(k, indexAKeys) {
		t.Errorf("got %v", k)
	}
	if _, fl, _ := ti.metrics.snapshot(); fl != 1 {
		t.Errorf("failed %d", fl)
	}
}

func TestIndexerIncremental(t *testing.T) {
	cases := []struct {
		name    string
		publish func(f *fakeGCS)
		cursor  string
		want    []string
		wantErr string
		warns   int
		check   func(t *testing.T, pkgs packages.Packages)
	}{
		{
			name:    "delta add",
			publish: func(f *fakeGCS) { f.publishDelta("2", "delta-add.json") },
			cursor:  "2",
			want:    append(append([]string{}, indexAKeys...), "apache@1.2.0"),
		},
		{
			name:    "delta remove",
			publish: func(f *fakeGCS) { f.publishDelta("2", "delta-remove.json") },
			cursor:  "2",
			want:    without(indexAKeys, "exp@1.0.0"),
		},
		{
			name:    "delta update",
			publish: func(f *fakeGCS) { f.publishDelta("2", "delta-update.json") },
			cursor:  "2",
			want:    indexAKeys,
			check: func(t *testing.T, pkgs packages.Packages) {
				if title := *pkgs[1].Title; title != "Apache UPDATED DELTA" {
					t.Errorf("title %q", title)
				}
			},
		},
		{
			name: "several revisions in one cycle",
			publish: func(f *fakeGCS) {
				f.publishDelta("2", "delta-add.json")
				f.publishDelta("3", "delta-remove.json")
				f.publishDelta("4", "delta-mixed.json")
			},
			cursor: "4",
			want: append(without(indexAKeys, "exp@1.0.0", "beta_tool@0.1.0", "solo@1.0.0"),
				"apache@1.2.0", "solo@1.0.0"),
		},
		{
			name: "revision without delta falls back to its full index",
			publish: func(f *fakeGCS) {
				f.publishDelta("2", "delta-remove.json")
				f.publishIndex("3", "index-b.json")
				f.publishDelta("4", "delta-add.json")
			},
			cursor: "4",
			want: []string{"apache@1.0.0", "apache@1.1.0", "apache@2.0.0-beta1", "beta_tool@0.1.0", "multi@1.0.0",
				"multi@1.2.0", "sec@3.0.0", "tie@1.0.0+build1", "tie@1.0.0+build2", "solo@1.0.0", "fresh@0.0.1",
				"apache@1.2.0"},
			warns: 1,
		},
		{
			name: "invalid delta falls back to the full index",
			publish: func(f *fakeGCS) {
				f.publishDelta("2", "delta-broken.json")
				f.publishIndex("2", "index-b.json")
			},
			cursor: "2",
			want: []string{"apache@1.0.0", "apache@1.1.0", "apache@2.0.0-beta1", "beta_tool@0.1.0", "multi@1.0.0",
				"multi@1.2.0", "sec@3.0.0", "tie@1.0.0+build1", "tie@1.0.0+build2", "solo@1.0.0", "fresh@0.0.1"},
			warns: 1,
		},
		{
			name: "fallback without full index aborts the whole cycle",
			publish: func(f *fakeGCS) {
				f.publishDelta("2", "delta-add.json")
				f.publishDelta("3", "delta-broken.json")
			},
			cursor:  "3",
			want:    indexAKeys,
			wantErr: "can't load the search-index-all index content",
			warns:   1,
		},
		{
			name:    "cursor ahead of every folder changes nothing",
			publish: func(f *fakeGCS) {},
			cursor:  "5",
			want:    indexAKeys,
		},
		{
			name: "revisions after the cursor are ignored",
			publish: func(f *fakeGCS) {
				f.publishDelta("2", "delta-add.json")
				f.publishDelta("3", "delta-remove.json")
			},
			cursor: "2",
			want:   append(append([]string{}, indexAKeys...), "apache@1.2.0"),
		},
		{
			// Cursors compare as strings: "10" sorts before "2".
			name: "lexicographic cursor order",
			publish: func(f *fakeGCS) {
				f.publishDelta("10", "delta-remove.json")
				f.publishDelta("2", "delta-add.json")
			},
			cursor: "2",
			want:   append(without(indexAKeys, "exp@1.0.0"), "apache@1.2.0"),
		},
		{
			name:    "a smaller number can be a greater cursor",
			publish: func(f *fakeGCS) { f.publishDelta("9", "delta-add.json") },
			cursor:  "10",
			want:    indexAKeys,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeGCS(t, "root")
			f.publishIndex("1", "index-a.json")
			f.setCursor("1")
			ti := newTestIndexer(t, f, true, 0)
			if err := ti.Init(context.Background()); err != nil {
				t.Fatal(err)
			}
			c.publish(f)
			f.setCursor(c.cursor)
			err := ti.update(context.Background())
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("got error %v, want %q", err, c.wantErr)
			}
			pkgs := ti.all(t)
			if k := keys(pkgs); !sameStrings(k, c.want) {
				t.Fatalf("got  %v\nwant %v", k, c.want)
			}
			if c.check != nil {
				c.check(t, pkgs)
			}
			if n := ti.logs.FilterMessage("failed to load delta, falling back to full sync for timestamp").Len(); n != c.warns {
				t.Errorf("%d fallback warnings, want %d", n, c.warns)
			}
			s, fl, _ := ti.metrics.snapshot()
			changed := !sameStrings(c.want, indexAKeys) || c.check != nil
			if changed && s != 2 || !changed && s != 1 {
				t.Errorf("%d successful updates", s)
			}
			if (c.wantErr != "") != (fl == 1) {
				t.Errorf("%d failed updates", fl)
			}
		})
	}
}

// Once the cursor moved, the next cycle starts from there; an incremental
// indexer that failed keeps its cursor and retries the same revisions.
func TestIndexerIncrementalRetriesAfterFailure(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ti := newTestIndexer(t, f, true, 0)
	if err := ti.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.publishDelta("2", "delta-broken.json")
	f.setCursor("2")
	if err := ti.update(context.Background()); err == nil {
		t.Fatal("broken revision applied")
	}
	f.publishDelta("2", "delta-add.json")
	ti.mustUpdate(t)
	f.publishDelta("3", "delta-remove.json")
	f.setCursor("3")
	ti.mustUpdate(t)
	want := append(without(indexAKeys, "exp@1.0.0"), "apache@1.2.0")
	if k := keys(ti.all(t)); !sameStrings(k, want) {
		t.Fatalf("got %v", k)
	}
	if n := ti.logs.FilterMessage("applied delta").Len(); n != 2 {
		t.Errorf("%d applied-delta logs", n)
	}
}

// Deltas keep the deprecation memory: a newly added, higher deprecated
// version replaces the notice on every version.
func TestIndexerIncrementalDeprecation(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ti := newTestIndexer(t, f, true, 0)
	if err := ti.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := find(ti.all(t), "multi", "1.0.0")
	f.publishDelta("2", "delta-deprecate.json")
	f.setCursor("2")
	ti.mustUpdate(t)
	for _, v := range []string{"1.0.0", "1.2.0", "1.3.0"} {
		if d := find(ti.all(t), "multi", v).Deprecated; d == nil || d.Description != "Gone for good" {
			t.Errorf("multi %s: %+v", v, d)
		}
	}
	if old.Deprecated.Description != "Use sec instead" {
		t.Error("a package of the previous index was modified")
	}
}

func TestIndexerInitErrors(t *testing.T) {
	cases := []struct {
		name    string
		bucket  string
		setup   func(f *fakeGCS)
		opts    func(o *IndexerOptions)
		wantErr string
	}{
		{
			name:    "bucket without gs://",
			bucket:  testBucket,
			wantErr: "validation failed: missing or invalid options.PackageStorageBucketInternal",
		},
		{
			name:    "empty bucket",
			bucket:  "gs://",
			wantErr: "validation failed: missing or invalid options.PackageStorageBucketInternal",
		},
		{
			name:    "bad endpoint",
			opts:    func(o *IndexerOptions) { o.Endpoint = "http://a b/" },
			wantErr: `validation failed: invalid options.PackageStorageEndpoint, URL expected: parse "http://a b/": invalid character " " in host name`,
		},
		{
			name:    "negative interval",
			opts:    func(o *IndexerOptions) { o.WatchInterval = -time.Second },
			wantErr: "validation failed: options.WatchInterval must be greater than or equal to 0",
		},
		{
			name:    "missing cursor",
			setup:   func(f *fakeGCS) { f.publishIndex("1", "index-a.json") },
			wantErr: "can't update index file: can't load latest cursor: cursor file doesn't exist, most likely a first run (bucketName: package-storage-test, path: v2/metadata/cursor.json): storage: object doesn't exist",
		},
		{
			name:    "malformed cursor",
			setup:   func(f *fakeGCS) { f.put("v2/metadata/cursor.json", []byte("{")) },
			wantErr: "can't update index file: can't load latest cursor: can't decode the cursor file",
		},
		{
			name:    "missing index",
			setup:   func(f *fakeGCS) { f.setCursor("1") },
			wantErr: "can't update index file: can't load the search-index-all index content: can't read the object (bucketName: package-storage-test, path: v2/metadata/1/search-index-all.json): storage: object doesn't exist",
		},
		{
			name:    "invalid format version",
			setup:   func(f *fakeGCS) { f.setCursor("1"); f.publishIndex("1", "index-bad-format.json") },
			wantErr: "can't update index file: can't load the search-index-all index content: invalid format spec version 'abc': invalid semantic version",
		},
		{
			name:    "truncated index",
			setup:   func(f *fakeGCS) { f.setCursor("1"); f.publishIndex("1", "index-truncated.json") },
			wantErr: "can't update index file: can't load the search-index-all index content: can't decode index entry: unexpected EOF",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeGCS(t, "")
			if c.setup != nil {
				c.setup(f)
			}
			i := NewIndexer(f.client, IndexerOptions{Options: Options{Bucket: f.bucketOption(), Endpoint: DefaultEndpoint}})
			if c.bucket != "" {
				i.opts.Bucket = c.bucket
			}
			if c.opts != nil {
				c.opts(&i.opts)
			}
			err := i.Init(context.Background())
			if err == nil || !strings.HasPrefix(err.Error(), c.wantErr) {
				t.Fatalf("got  %v\nwant %s", err, c.wantErr)
			}
		})
	}
}

// A bad revision met while polling is logged and counted; the previous
// index stays in service and a later good revision is picked up.
func TestIndexerKeepsOldIndexWhenPollingFails(t *testing.T) {
	for _, incremental := range []bool{false, true} {
		t.Run("", func(t *testing.T) {
			f := newFakeGCS(t, "")
			f.publishIndex("1", "index-a.json")
			f.setCursor("1")
			ti := newTestIndexer(t, f, incremental, 0)
			if err := ti.Init(context.Background()); err != nil {
				t.Fatal(err)
			}
			for _, bad := range []func(){
				func() { f.publishIndex("2", "index-bad-version.json"); f.setCursor("2") },
				func() { f.publishIndex("2", "index-truncated.json") },
				func() { f.put("v2/metadata/cursor.json", []byte("not json")) },
			} {
				bad()
				if err := ti.update(context.Background()); err == nil {
					t.Fatal("bad revision accepted")
				}
				if k := keys(ti.all(t)); !sameStrings(k, indexAKeys) {
					t.Fatalf("old index not kept: %v", k)
				}
			}
			if _, fl, _ := ti.metrics.snapshot(); fl != 3 {
				t.Errorf("failed %d", fl)
			}
			// In incremental mode the broken revision must be repaired:
			// every cycle reads all revisions after the current cursor.
			f.publishIndex("2", "index-b.json")
			f.setCursor("2")
			ti.mustUpdate(t)
			if find(ti.all(t), "fresh", "0.0.1") == nil {
				t.Error("good revision not picked up")
			}
		})
	}
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
