package storage

import (
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/packages"
)

func readTestIndex(t *testing.T, file string) packages.Packages {
	t.Helper()
	pkgs, err := readIndex(strings.NewReader(string(testdata(t, file))), nil)
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func readTestDelta(t *testing.T, file string) *delta {
	t.Helper()
	d, err := readDelta(strings.NewReader(string(testdata(t, file))), nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var indexAKeys = []string{
	"apache@1.0.0", "apache@1.1.0", "apache@2.0.0-beta1", "beta_tool@0.1.0", "exp@1.0.0",
	"multi@1.0.0", "multi@1.2.0", "sec@3.0.0", "tie@1.0.0+build1", "tie@1.0.0+build2", "solo@1.0.0",
}

func TestDeltaApply(t *testing.T) {
	cases := []struct {
		name  string
		delta string
		want  []string
		check func(t *testing.T, got packages.Packages)
	}{
		{
			name:  "added at the end",
			delta: "delta-add.json",
			want:  append(append([]string{}, indexAKeys...), "apache@1.2.0"),
		},
		{
			name:  "removed",
			delta: "delta-remove.json",
			want:  without(indexAKeys, "exp@1.0.0"),
		},
		{
			name:  "updated in place, unmatched update ignored",
			delta: "delta-update.json",
			want:  indexAKeys,
			check: func(t *testing.T, got packages.Packages) {
				p := got[1]
				if p.Title == nil || *p.Title != "Apache UPDATED DELTA" {
					t.Errorf("apache 1.1.0 not replaced: %s", encode(t, p))
				}
				// A full replacement: fields missing from the update are gone.
				if p.Categories != nil || p.Conditions != nil || p.PolicyTemplates != nil {
					t.Errorf("fields of the old document survived: %s", encode(t, p))
				}
			},
		},
		{
			name:  "removal beats update, remove+add re-adds, surviving key not re-added",
			delta: "delta-mixed.json",
			want:  append(without(indexAKeys, "beta_tool@0.1.0", "solo@1.0.0"), "solo@1.0.0"),
			check: func(t *testing.T, got packages.Packages) {
				if title := *find(got, "solo", "1.0.0").Title; title != "Solo READDED" {
					t.Errorf("solo title %q", title)
				}
				if title := *find(got, "sec", "3.0.0").Title; title != "Security Thing" {
					t.Errorf("sec was replaced by an added duplicate: %q", title)
				}
			},
		},
		{
			name:  "empty delta",
			delta: "index-empty.json", // no added/updated/removed keys at all
			want:  indexAKeys,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cur := readTestIndex(t, "index-a.json")
			before := encode(t, cur)
			got := readTestDelta(t, c.delta).apply(cur, zap.NewNop())
			if k := keys(got); !sameStrings(k, c.want) {
				t.Fatalf("got %v\nwant %v", k, c.want)
			}
			if c.check != nil {
				c.check(t, got)
			}
			if encode(t, cur) != before {
				t.Error("apply modified the current list")
			}
			for _, p := range got {
				for _, old := range cur {
					if p == old {
						t.Fatalf("%s@%s is shared with the current list", p.Name, p.Version)
					}
				}
			}
		})
	}
}

func TestDeltaApplyLogs(t *testing.T) {
	logger, logs := observedLogger()
	cur := readTestIndex(t, "index-a.json")
	readTestDelta(t, "delta-mixed.json").apply(cur, logger)
	var got []string
	for _, e := range logs.All() {
		got = append(got, e.Message+" "+e.ContextMap()["package"].(string))
	}
	want := []string{"removed package beta_tool-0.1.0", "removed package solo-1.0.0", "added package solo-1.0.0"}
	if !sameStrings(got, want) {
		t.Errorf("logs %v, want %v", got, want)
	}
}

func TestReadDeltaRejectsInvalidPackages(t *testing.T) {
	_, err := readDelta(strings.NewReader(string(testdata(t, "delta-broken.json"))), nil)
	if err == nil || !strings.Contains(err.Error(), "invalid package version") {
		t.Fatalf("got %v", err)
	}
	_, err = readDelta(strings.NewReader(`{"added": [`), nil)
	if err == nil || !strings.Contains(err.Error(), "can't decode delta") {
		t.Fatalf("got %v", err)
	}
}

func without(list []string, drop ...string) []string {
	var out []string
	for _, s := range list {
		keep := true
		for _, d := range drop {
			if s == d {
				keep = false
			}
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}
