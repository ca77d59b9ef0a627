package storage

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest/observer"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

type testSQLIndexer struct {
	*SQLIndexer
	metrics *countingMetrics
	logs    *observer.ObservedLogs
	folder  string
}

type sqlTestOptions struct {
	folder    string
	env       map[string]string
	afterSwap func()
	interval  time.Duration
}

func newTestSQLIndexer(t *testing.T, f *fakeGCS, o sqlTestOptions) *testSQLIndexer {
	t.Helper()
	if o.folder == "" {
		o.folder = t.TempDir()
	}
	logger, logs := observedLogger()
	m := &countingMetrics{}
	s, err := NewSQLIndexer(context.Background(), f.client, SQLOptions{
		Options: Options{
			Bucket:        f.bucketOption(),
			Endpoint:      "http://127.0.0.1:9/",
			WatchInterval: o.interval,
			Logger:        logger,
			Metrics:       m.hooks(),
		},
		DatabaseFolder:  o.folder,
		ReadBatchSize:   o.env[ReadBatchSizeEnv],
		InsertBatchSize: o.env[InsertBatchSizeEnv],
		AfterSwap:       o.afterSwap,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return &testSQLIndexer{SQLIndexer: s, metrics: m, logs: logs, folder: o.folder}
}

func (ts *testSQLIndexer) all(t *testing.T) packages.Packages {
	t.Helper()
	pkgs, err := ts.Get(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func TestSQLIndexerFilesAndSwap(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.publishIndex("2", "index-b.json")
	f.setCursor("1")
	folder := t.TempDir()
	// Leftovers of a previous run are deleted at start.
	for _, name := range []string{SQLDatabaseFile, SQLSwapDatabaseFile} {
		if err := os.WriteFile(filepath.Join(folder, name), []byte("not a database"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ts := newTestSQLIndexer(t, f, sqlTestOptions{folder: folder})
	if err := ts.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The first load ends with the swap file current.
	if got := filepath.Base(ts.current.path); got != SQLSwapDatabaseFile {
		t.Errorf("current database %s", got)
	}
	if k := keys(ts.all(t)); !sameStrings(k, indexAKeys) {
		t.Fatalf("got %v", k)
	}
	logged := ts.logs.FilterMessage("cursor will be updated").All()
	if len(logged) != 1 || logged[0].ContextMap()["cursor.current"] != "init" || logged[0].ContextMap()["cursor.next"] != "1" {
		t.Errorf("cursor log %+v", logged)
	}

	if err := ts.update(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ts.logs.FilterMessage("cursor is up-to-date").Len() != 1 {
		t.Error("no up-to-date log")
	}
	f.setCursor("2")
	if err := ts.update(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := filepath.Base(ts.current.path); got != SQLDatabaseFile {
		t.Errorf("current database after the second load %s", got)
	}
	if find(ts.all(t), "fresh", "0.0.1") == nil || find(ts.all(t), "exp", "1.0.0") != nil {
		t.Errorf("revision 2 not served: %v", keys(ts.all(t)))
	}
	// The backup holds nothing once the swap is done.
	if n := countRows(t, ts.backup); n != 0 {
		t.Errorf("backup still has %d rows", n)
	}
	if s, fl, d := ts.metrics.snapshot(); s != 2 || fl != 0 || d != 3 {
		t.Errorf("success %d, failed %d, durations %d", s, fl, d)
	}
	if !sameInts(ts.metrics.indexed, []int{11, 11}) {
		t.Errorf("gauge %v", ts.metrics.indexed)
	}
	for _, name := range []string{SQLDatabaseFile, SQLSwapDatabaseFile} {
		if _, err := os.Stat(filepath.Join(folder, name)); err != nil {
			t.Error(err)
		}
	}
}

func countRows(t *testing.T, db *sqlDB) int {
	t.Helper()
	var n int
	if err := db.db.QueryRow("SELECT COUNT(*) FROM packages").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSQLIndexerCreationErrors(t *testing.T) {
	f := newFakeGCS(t, "")
	notEmpty := t.TempDir()
	if err := os.MkdirAll(filepath.Join(notEmpty, SQLDatabaseFile, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	cases := []struct {
		name   string
		folder string
		env    map[string]string
		want   string
	}{
		{"bad read batch", t.TempDir(), map[string]string{ReadBatchSizeEnv: "x"},
			`failed to parse EPR_SQL_INDEXER_READ_PACKAGES_BATCH_SIZE environment variable: strconv.Atoi: parsing "x": invalid syntax`},
		{"bad insert batch", t.TempDir(), map[string]string{InsertBatchSizeEnv: "1.5"},
			`failed to initialize storage database: failed to parse EPR_SQL_INDEXER_DB_INSERT_BATCH_SIZE environment variable: strconv.Atoi: parsing "1.5": invalid syntax`},
		{"file cannot be deleted", notEmpty, nil,
			`failed to initialize storage database: failed to delete previous database (path "` + filepath.Join(notEmpty, SQLDatabaseFile) + `"): `},
		{"folder does not exist", missing, nil,
			`failed to initialize storage database: failed to open database (path "` + filepath.Join(missing, SQLDatabaseFile) + `"): `},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewSQLIndexer(context.Background(), f.client, SQLOptions{
				DatabaseFolder:  c.folder,
				ReadBatchSize:   c.env[ReadBatchSizeEnv],
				InsertBatchSize: c.env[InsertBatchSizeEnv],
			})
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestBatchSize(t *testing.T) {
	cases := []struct {
		value   string
		want    int
		wantErr bool
	}{
		{"", 2000, false},
		{"7", 7, false},
		{"0", 2000, false},
		{"-3", 2000, false},
		{" 7", 0, true},
		{"abc", 0, true},
	}
	for _, c := range cases {
		got, err := batchSize(c.value, ReadBatchSizeEnv, 2000)
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("%q: got %d, %v", c.value, got, err)
		}
	}
}

// Small batches split the load into several transactions and multi-row
// inserts; the index order survives.
func TestSQLIndexerBatches(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ts := newTestSQLIndexer(t, f, sqlTestOptions{env: map[string]string{ReadBatchSizeEnv: "3", InsertBatchSizeEnv: "2"}})
	if err := ts.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, e := range ts.logs.FilterMessage("Filled database with a batch of packages").All() {
		sizes = append(sizes, int(e.ContextMap()["num.packages"].(int64)))
	}
	if !sameInts(sizes, []int{3, 3, 3, 2}) {
		t.Errorf("batches %v", sizes)
	}
	if k := keys(ts.all(t)); !sameStrings(k, indexAKeys) {
		t.Fatalf("got %v", k)
	}
}

// A load that fails part-way keeps the previous index in service, and the
// next attempt at the same cursor starts from a clean backup (upstream
// stays stuck on a UNIQUE constraint error instead).
func TestSQLIndexerRecoversFromPartialLoad(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-b.json")
	f.setCursor("1")
	ts := newTestSQLIndexer(t, f, sqlTestOptions{env: map[string]string{ReadBatchSizeEnv: "1"}})
	if err := ts.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.publishIndex("2", "index-truncated.json")
	f.setCursor("2")
	err := ts.update(context.Background())
	want := "can't load the search-index-all index content: can't load the search-index-all index content: can't decode index entry: unexpected EOF"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v", err)
	}
	if ts.logs.FilterMessage("Filled database with a batch of packages").Len() != 11+1 {
		t.Error("the failed load did not commit a batch first")
	}
	if find(ts.all(t), "fresh", "0.0.1") == nil {
		t.Fatal("previous index not kept")
	}
	f.publishIndex("2", "index-a.json")
	if err := ts.update(context.Background()); err != nil {
		t.Fatalf("retry of the same cursor: %v", err)
	}
	if k := keys(ts.all(t)); !sameStrings(k, indexAKeys) {
		t.Fatalf("got %v", k)
	}
	if s, fl, _ := ts.metrics.snapshot(); s != 2 || fl != 1 {
		t.Errorf("success %d, failed %d", s, fl)
	}
}

func TestSQLIndexerInitErrors(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fakeGCS)
		want  string
	}{
		{"missing cursor", func(f *fakeGCS) {},
			"can't update index file: can't load latest cursor: cursor file doesn't exist, most likely a first run (bucketName: package-storage-test, path: v2/metadata/cursor.json): storage: object doesn't exist"},
		{"invalid package", func(f *fakeGCS) { f.setCursor("1"); f.publishIndex("1", "index-bad-version.json") },
			"can't update index file: can't load the search-index-all index content: can't load the search-index-all index content: invalid package version: invalid semantic version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeGCS(t, "")
			c.setup(f)
			ts := newTestSQLIndexer(t, f, sqlTestOptions{})
			if err := ts.Init(context.Background()); err == nil || err.Error() != c.want {
				t.Fatalf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestSQLIndexerEmptyIndex(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.publishIndex("2", "index-empty.json")
	f.setCursor("1")
	ts := newTestSQLIndexer(t, f, sqlTestOptions{})
	if err := ts.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.setCursor("2")
	if err := ts.update(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(ts.all(t)); n != 0 {
		t.Errorf("%d packages", n)
	}
}

func TestSQLIndexerPackageData(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ts := newTestSQLIndexer(t, f, sqlTestOptions{})
	if err := ts.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	lookup := &packages.Filter{PackageName: "multi", PackageVersion: "1.2.0", Prerelease: true, AllVersions: true, Experimental: true}

	minimal, err := ts.Get(context.Background(), &indexer.GetOptions{Filter: lookup, SkipPackageData: true})
	if err != nil || len(minimal) != 1 {
		t.Fatalf("got %v, %v", keys(minimal), err)
	}
	p := minimal[0]
	if p.Resolver != ts.resolver || p.Type != "integration" || p.Release != "ga" || p.FormatVersion != "3.0.0" ||
		p.Title != nil || p.PolicyTemplates != nil || p.SemVer == nil {
		t.Errorf("minimal package %+v", p)
	}
	if p.Deprecated == nil || p.Deprecated.Description != "Use sec instead" {
		t.Errorf("deprecation memory not applied: %+v", p.Deprecated)
	}

	full, err := ts.Get(context.Background(), &indexer.GetOptions{Filter: lookup, FullData: true})
	if err != nil || len(full) != 1 {
		t.Fatalf("got %v, %v", keys(full), err)
	}
	if got := encode(t, full[0]); !strings.Contains(compactJSON(t, []byte(got)), `"title":"Multi"`) ||
		len(full[0].PolicyTemplates) != 2 || full[0].Resolver != ts.resolver {
		t.Errorf("full package %s", got)
	}

	// A lookup that needs more than the columns still reads the documents.
	withCategory := *lookup
	withCategory.Category = "aws"
	got, err := ts.Get(context.Background(), &indexer.GetOptions{Filter: &withCategory, SkipPackageData: true})
	if err != nil || len(got) != 1 || len(got[0].PolicyTemplates) != 1 || got[0].PolicyTemplates[0].Name != "aws" {
		t.Errorf("category lookup: %v, %v", keys(got), err)
	}
}

func TestSQLIndexerPurgesCachesOnSwap(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.publishIndex("2", "index-b.json")
	f.setCursor("1")
	search := NewResponseCache(10, time.Hour, nil)
	categories := NewResponseCache(10, time.Hour, nil)
	ts := newTestSQLIndexer(t, f, sqlTestOptions{afterSwap: PurgeHook(nil, search, categories)})
	if err := ts.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	search.Add("/search?", []byte("[]"))
	categories.Add("/categories?", []byte("[]\n"))

	// No new cursor: no swap, nothing purged.
	if err := ts.update(context.Background()); err != nil {
		t.Fatal(err)
	}
	if search.Len() != 1 || categories.Len() != 1 {
		t.Fatal("caches purged without a swap")
	}
	// A failed load does not swap either.
	f.publishIndex("3", "index-truncated.json")
	f.setCursor("3")
	if err := ts.update(context.Background()); err == nil {
		t.Fatal("truncated index accepted")
	}
	if search.Len() != 1 || categories.Len() != 1 {
		t.Fatal("caches purged after a failed load")
	}
	f.setCursor("2")
	if err := ts.update(context.Background()); err != nil {
		t.Fatal(err)
	}
	if search.Len() != 0 || categories.Len() != 0 {
		t.Errorf("caches not purged: %d, %d", search.Len(), categories.Len())
	}
	if ts.logs.FilterMessage("Running after update index hook").Len() != 3-1 {
		t.Error("hook not logged on each swap")
	}
}

func TestSQLIndexerConcurrentReadsDuringSwaps(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.publishIndex("2", "index-b.json")
	f.setCursor("1")
	ts := newTestSQLIndexer(t, f, sqlTestOptions{env: map[string]string{ReadBatchSizeEnv: "2"}})
	if err := ts.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantA := keys(ts.all(t))
	f.setCursor("2")
	if err := ts.update(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantB := keys(ts.all(t))
	filter := &packages.Filter{AllVersions: true, Prerelease: true}
	runConcurrentSwaps(t, func(rev string) error {
		f.setCursor(rev)
		return ts.update(context.Background())
	}, func() ([]string, error) {
		pkgs, err := ts.Get(context.Background(), &indexer.GetOptions{Filter: filter})
		return keys(pkgs), err
	}, wantA, wantB)
}

func TestSQLIndexerWatcher(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.setCursor("1")
	ts := newTestSQLIndexer(t, f, sqlTestOptions{interval: 10 * time.Millisecond})
	if err := ts.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.publishIndex("2", "index-b.json")
	f.setCursor("2")
	eventually(t, "revision 2", func() bool { return find(ts.all(t), "fresh", "0.0.1") != nil })
}
