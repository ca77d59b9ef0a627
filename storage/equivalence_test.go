package storage

import (
	"context"
	"net/url"
	"testing"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

var equivalenceSearches = []string{
	"",
	"all=true",
	"prerelease=true",
	"prerelease=true&all=true",
	"kibana.version=7.17.0",
	"kibana.version=8.11.0",
	"kibana.version=8.12.0&prerelease=true",
	"kibana.version=8.0.0-SNAPSHOT",
	"kibana.version=8.12.0&prerelease=true&all=true",
	"agent.version=8.12.0",
	"agent.version=8.11.0&prerelease=true",
	"package=apache",
	"package=apache&all=true&prerelease=true",
	"package=tie",
	"package=tie&all=true",
	"package=nothere",
	"type=input",
	"type=content&prerelease=true",
	"type=integration&package=apache&kibana.version=8.12.0",
	"category=web",
	"category=observability",
	"category=observability&all=true",
	"category=cloud",
	"category=aws&all=true",
	"category=security&prerelease=true",
	"capabilities=observability",
	"capabilities=security,observability&all=true",
	"capabilities=none",
	"discovery=fields:event.dataset,host.name,x",
	"discovery=fields:event.dataset",
	"discovery=datasets:sec.alerts&discovery=fields:a",
	"discovery=datasets:sec.alerts",
	"spec.min=3.1",
	"spec.max=2.0",
	"spec.min=3.0&spec.max=3.1&prerelease=true",
	"experimental=true",
	"experimental=true&all=true",
	"experimental=true&kibana.version=8.12.0",
	"experimental=true&category=web",
	"experimental=true&package=apache&all=true",
	"experimental=true&type=content",
}

var equivalenceCategories = []string{
	"",
	"prerelease=true",
	"include_policy_templates=true",
	"kibana.version=8.11.0&include_policy_templates=true",
	"experimental=true",
	"capabilities=none&prerelease=true",
}

// Lookups of artifacts, signatures and statics: name and exact version,
// legacy mode, prereleases allowed.
var equivalenceLookups = [][2]string{
	{"apache", "2.0.0-beta1"}, {"multi", "1.2.0"}, {"tie", "1.0.0+build2"}, {"tie", "1.0.0"}, {"exp", "1.0.0"}, {"nothere", "1.0.0"},
}

// For every request, the SQL indexer answers exactly what the in-memory
// indexer answers on the same index, before and
// after an update that exercises the deprecation memory.
func TestSQLIndexerEquivalence(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-a.json")
	f.publishIndex("2", "index-b.json")
	f.setCursor("1")
	mem := newTestIndexer(t, f, false, 0)
	sql := newTestSQLIndexer(t, f, sqlTestOptions{env: map[string]string{ReadBatchSizeEnv: "4", InsertBatchSizeEnv: "3"}})
	for _, idx := range []indexer.Indexer{mem, sql} {
		if err := idx.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	compareIndexers(t, "revision 1", mem, sql)
	f.setCursor("2")
	if err := mem.update(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := sql.update(context.Background()); err != nil {
		t.Fatal(err)
	}
	compareIndexers(t, "revision 2", mem, sql)
}

// A package without format_version fails spec searches the same way.
func TestSQLIndexerEquivalenceOfErrors(t *testing.T) {
	f := newFakeGCS(t, "")
	f.publishIndex("1", "index-nospec.json")
	f.setCursor("1")
	mem := newTestIndexer(t, f, false, 0)
	sql := newTestSQLIndexer(t, f, sqlTestOptions{})
	for _, idx := range []indexer.Indexer{mem, sql} {
		if err := idx.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{"spec.min=1.0", "spec.max=3.0&package=nospec", "spec.max=3.0&package=apache"} {
		filter := searchFilter(t, q)
		memPkgs, memErr := mem.Get(context.Background(), &indexer.GetOptions{Filter: filter})
		sqlPkgs, sqlErr := sql.Get(context.Background(), &indexer.GetOptions{Filter: filter})
		if errString(memErr) != errString(sqlErr) || encode(t, memPkgs) != encode(t, sqlPkgs) {
			t.Errorf("%s: memory %v %v, sql %v %v", q, keys(memPkgs), memErr, keys(sqlPkgs), sqlErr)
		}
	}
}

func compareIndexers(t *testing.T, label string, mem, sql indexer.Indexer) {
	t.Helper()
	get := func(idx indexer.Indexer, opts *indexer.GetOptions) (packages.Packages, error) {
		return idx.Get(context.Background(), opts)
	}
	check := func(what string, opts *indexer.GetOptions) (packages.Packages, packages.Packages) {
		t.Helper()
		memPkgs, memErr := get(mem, opts)
		sqlPkgs, sqlErr := get(sql, opts)
		if errString(memErr) != errString(sqlErr) {
			t.Errorf("%s %s: errors differ: memory %v, sql %v", label, what, memErr, sqlErr)
		}
		if m, s := encode(t, memPkgs), encode(t, sqlPkgs); m != s {
			t.Errorf("%s %s: results differ\nmemory %v\nsql    %v", label, what, keys(memPkgs), keys(sqlPkgs))
		}
		return memPkgs, sqlPkgs
	}

	check("all packages", nil)
	check("all packages (FullData)", &indexer.GetOptions{FullData: true})
	for _, q := range equivalenceSearches {
		memPkgs, sqlPkgs := check("/search?"+q, &indexer.GetOptions{Filter: searchFilter(t, q)})
		if m, s := searchBody(t, memPkgs), searchBody(t, sqlPkgs); m != s {
			t.Errorf("%s /search?%s: bodies differ", label, q)
		}
	}
	for _, q := range equivalenceCategories {
		values, _ := url.ParseQuery(q)
		filter, withTemplates, err := packages.ParseCategoriesQuery(values, true)
		if err != nil {
			t.Fatal(err)
		}
		memPkgs, sqlPkgs := check("/categories?"+q, &indexer.GetOptions{Filter: filter})
		m := encode(t, packages.CountCategories(memPkgs, withTemplates))
		if s := encode(t, packages.CountCategories(sqlPkgs, withTemplates)); m != s {
			t.Errorf("%s /categories?%s: counts differ\nmemory %s\nsql    %s", label, q, m, s)
		}
	}
	for _, l := range equivalenceLookups {
		filter := &packages.Filter{PackageName: l[0], PackageVersion: l[1], Prerelease: true, AllVersions: true, Experimental: true}
		check("full lookup "+l[0]+"@"+l[1], &indexer.GetOptions{Filter: filter, FullData: true})
		memPkgs, sqlPkgs := func() (packages.Packages, packages.Packages) {
			m, _ := get(mem, &indexer.GetOptions{Filter: filter, SkipPackageData: true})
			s, _ := get(sql, &indexer.GetOptions{Filter: filter, SkipPackageData: true})
			return m, s
		}()
		if !sameStrings(keys(memPkgs), keys(sqlPkgs)) {
			t.Errorf("%s lookup %v: memory %v, sql %v", label, l, keys(memPkgs), keys(sqlPkgs))
		}
		for i := range sqlPkgs {
			if sqlPkgs[i].Resolver == nil {
				t.Errorf("%s lookup %v: no resolver", label, l)
			}
		}
	}
}

func searchFilter(t *testing.T, q string) *packages.Filter {
	t.Helper()
	values, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	filter, err := packages.ParseSearchQuery(values, true)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return filter
}

func searchBody(t *testing.T, pkgs packages.Packages) string {
	t.Helper()
	b, err := packages.SearchJSON(pkgs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
