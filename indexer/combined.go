package indexer

import (
	"context"
	"sort"

	"github.com/Masterminds/semver/v3"

	"github.com/eprgo/package-registry/packages"
)

// Combined queries its members in order, the earlier one winning for the
// same name and version (upstream's precedence): storage, then zip, then
// directory packages.
type Combined []Indexer

// NewCombined returns the members, skipping nil ones.
func NewCombined(members ...Indexer) Combined {
	var c Combined
	for _, m := range members {
		if m != nil {
			c = append(c, m)
		}
	}
	return c
}

func (c Combined) Init(ctx context.Context) error {
	for _, m := range c {
		if err := m.Init(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (c Combined) Close(ctx context.Context) error {
	for _, m := range c {
		if err := m.Close(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (c Combined) Get(ctx context.Context, opts *GetOptions) (packages.Packages, error) {
	if len(c) == 1 {
		return c[0].Get(ctx, opts)
	}
	type key struct{ name, version string }
	var merged packages.Packages
	seen := make(map[key]struct{})
	for _, m := range c {
		pkgs, err := m.Get(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, p := range pkgs {
			k := key{p.Name, p.Version}
			if _, ok := seen[k]; ok {
				continue
			}
			seen[k] = struct{}{}
			merged = append(merged, p)
		}
	}
	if opts == nil || opts.Filter == nil || opts.Filter.AllVersions {
		return merged, nil
	}
	return LatestPerName(merged), nil
}

// LatestPerName keeps the highest version of each package name, by plain
// semver precedence, ordered by name. On equal precedence the earlier entry
// wins. This is the second selection stage, across indexers;
// proxy mode applies it to local+remote results too.
func LatestPerName(pkgs packages.Packages) packages.Packages {
	sorted := make(packages.Packages, len(pkgs))
	copy(sorted, pkgs)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return compareVersions(a, b) > 0
	})
	out := sorted[:0:0]
	for i, p := range sorted {
		if i > 0 && sorted[i-1].Name == p.Name {
			continue
		}
		out = append(out, p)
	}
	return out
}

func compareVersions(a, b *packages.Package) int {
	av, bv := a.SemVer, b.SemVer
	if av == nil {
		av, _ = semver.NewVersion(a.Version)
	}
	if bv == nil {
		bv, _ = semver.NewVersion(b.Version)
	}
	if av != nil && bv != nil {
		return av.Compare(bv)
	}
	switch {
	case a.Version < b.Version:
		return -1
	case a.Version > b.Version:
		return 1
	}
	return 0
}
