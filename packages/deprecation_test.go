package packages_test

import (
	"fmt"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

func deprecations(pkgs packages.Packages) string {
	s := ""
	for _, p := range packages.SortForSearch(pkgs) {
		d := "-"
		if p.Deprecated != nil {
			d = p.Deprecated.Description
		}
		s += fmt.Sprintf("%s@%s:%s ", p.Name, p.Version, d)
	}
	return s
}

// Deprecation notices spread over the versions of a name as indexers do it.
func TestPropagateDeprecations(t *testing.T) {
	memory := map[string]*packages.Deprecated{}
	// The highest deprecated version (1.1.0) wins over 1.0.0 and reaches
	// the newer, undeprecated 1.2.0.
	pkgs := packages.Packages{
		newPkg(t, "t", "1.2.0"),
		newPkg(t, "t", "1.0.0", deprecated("1.0.0", "older")),
		newPkg(t, "t", "1.1.0", deprecated("1.1.0", "old")),
		newPkg(t, "u", "1.0.0"),
		newPkg(t, "v", "1.0.0-rc1", deprecated("1", "rc")),
		newPkg(t, "v", "0.9.0", deprecated("0", "zero")),
	}
	packages.PropagateDeprecations(pkgs, memory)
	want := "t@1.0.0:old t@1.1.0:old t@1.2.0:old u@1.0.0:- v@0.9.0:rc v@1.0.0-rc1:rc "
	if got := deprecations(pkgs); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// Reindex without any deprecated t: the remembered notice stays.
	again := packages.Packages{newPkg(t, "t", "1.2.0"), newPkg(t, "t", "1.3.0"), newPkg(t, "u", "1.0.0")}
	packages.PropagateDeprecations(again, memory)
	if got, want := deprecations(again), "t@1.2.0:old t@1.3.0:old u@1.0.0:- "; got != want {
		t.Errorf("after removal got  %s\nwant %s", got, want)
	}

	// A newly indexed deprecated version replaces the notice.
	third := packages.Packages{newPkg(t, "t", "1.2.0"), newPkg(t, "t", "2.0.0", deprecated("2.0.0", "new"))}
	packages.PropagateDeprecations(third, memory)
	if got, want := deprecations(third), "t@1.2.0:new t@2.0.0:new "; got != want {
		t.Errorf("after addition got  %s\nwant %s", got, want)
	}

	// Another indexer has its own memory: notices never cross.
	other := packages.Packages{newPkg(t, "t", "3.0.0")}
	packages.PropagateDeprecations(other, map[string]*packages.Deprecated{})
	if other[0].Deprecated != nil {
		t.Errorf("notice crossed indexers: %+v", other[0].Deprecated)
	}
}

// Propagated deprecations through the search pipeline.
func TestDeprecationInSearch(t *testing.T) {
	got, err := fixtureA(t).search(t, "package=multiversion&all=true")
	if err != nil {
		t.Fatal(err)
	}
	want := "multiversion@1.0.3:This package is deprecated multiversion@1.0.4:This package is deprecated multiversion@1.1.0:This package is deprecated multiversion@1.2.0:This package is deprecated "
	if s := deprecations(got); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
	got, err = fixtureB(t).search(t, "package=depr")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Version != "2.0.0" || got[0].Deprecated == nil ||
		*got[0].Deprecated != (packages.Deprecated{Since: "1.0.0", Description: "old one"}) {
		t.Errorf("depr: %s %+v", ids(got), got[0].Deprecated)
	}
}
