package packages_test

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"testing"

	"github.com/eprgo/package-registry/loader"
	"github.com/eprgo/package-registry/packages"
)

// fuzzPackages are real loaded packages plus variants with other versions,
// conditions and releases, so that every filter stage has work to do.
func fuzzPackages(f *testing.F) packages.Packages {
	f.Helper()
	var pkgs packages.Packages
	for _, dir := range []string{"../loader/testdata/loader/full/1.2.3", "../loader/testdata/loader/input/0.3.0"} {
		p, err := loader.Load(dir, loader.Options{})
		if err != nil {
			f.Fatal(err)
		}
		pkgs = append(pkgs, p)
		for _, v := range []string{"0.1.0", "2.0.0-rc1", "2.0.0", "10.0.0+build"} {
			c := *p
			c.Version = v
			c.Release = ""
			if err := c.InitRuntime(); err != nil {
				f.Fatal(err)
			}
			pkgs = append(pkgs, &c)
		}
	}
	return pkgs
}

var querySeeds = []string{
	"",
	"package=full&all=true&prerelease=true",
	"kibana.version=8.12.0&agent.version=8.12.0-SNAPSHOT",
	"kibana.version=7.x&spec.min=1.0&spec.max=3.1",
	"category=web&type=integration&experimental=true",
	"capabilities=apm,observability,security&include_policy_templates=true",
	"discovery=fields:host.ip,event.category&discovery=datasets:nginx.access",
	"discovery=bogus&discovery=fields:",
	"prerelease=maybe&all=1&internal=true",
	"spec.min=1&spec.max=1.2.3",
	"kibana.version=%00&agent.version=v1.2",
	"a=1;b=2&&=&%zz",
	"kibana.version=99999999999999999999.0.0",
	"spec.min=0.0&spec.max=0.0&unknown=x",
}

// FuzzParseSearchQuery: any query string gives either a filter or a
// QueryError (a 400 answer), the same one every time, and the
// filter then runs over real packages and renders without panicking.
func FuzzParseSearchQuery(f *testing.F) {
	for _, s := range querySeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	pkgs := fuzzPackages(f)
	f.Fuzz(func(t *testing.T, raw string, allowUnknown bool) {
		q, _ := url.ParseQuery(raw) // what r.URL.Query() does: errors dropped
		filter, err := packages.ParseSearchQuery(q, allowUnknown)
		again, err2 := packages.ParseSearchQuery(q, allowUnknown)
		if !sameResult(filter, again, err, err2) {
			t.Fatalf("two parses differ: %v / %v", err, err2)
		}
		if err != nil {
			requireQueryError(t, err)
			return
		}
		out, err := filter.Apply(context.Background(), pkgs)
		if err != nil {
			// Only the spec comparison of a package without
			// format_version can fail, and every fuzz package has one.
			t.Fatalf("apply: %v", err)
		}
		if _, err := packages.SearchJSON(out); err != nil {
			t.Fatalf("render: %v", err)
		}
	})
}

// FuzzParseCategoriesQuery is FuzzParseSearchQuery for /categories.
func FuzzParseCategoriesQuery(f *testing.F) {
	for _, s := range querySeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	pkgs := fuzzPackages(f)
	f.Fuzz(func(t *testing.T, raw string, allowUnknown bool) {
		q, _ := url.ParseQuery(raw)
		filter, include, err := packages.ParseCategoriesQuery(q, allowUnknown)
		again, include2, err2 := packages.ParseCategoriesQuery(q, allowUnknown)
		if !sameResult(filter, again, err, err2) || include != include2 {
			t.Fatalf("two parses differ: %v / %v", err, err2)
		}
		if err != nil {
			requireQueryError(t, err)
			return
		}
		out, err := filter.Apply(context.Background(), pkgs)
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		if _, err := packages.CategoriesJSON(packages.CountCategories(out, include)); err != nil {
			t.Fatalf("render: %v", err)
		}
	})
}

func requireQueryError(t *testing.T, err error) {
	t.Helper()
	var qe *packages.QueryError
	if !errors.As(err, &qe) || qe.Msg == "" {
		t.Fatalf("error %T %v is not a QueryError", err, err)
	}
}

func sameResult(a, b *packages.Filter, errA, errB error) bool {
	if (errA == nil) != (errB == nil) {
		return false
	}
	if errA != nil {
		return errA.Error() == errB.Error()
	}
	return reflect.DeepEqual(a, b)
}
