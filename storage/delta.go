package storage

import (
	"encoding/json"
	"fmt"
	"io"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// delta is a decoded search-index-delta.json: the packages a revision
// adds, updates and removes.
type delta struct {
	added   packages.Packages
	updated packages.Packages
	removed []packageKey
}

type packageKey struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

func (k packageKey) String() string { return k.Name + "-" + k.Version }

func keyOf(p *packages.Package) packageKey { return packageKey{p.Name, p.Version} }

func readDelta(r io.Reader, resolver indexer.RemoteResolver) (*delta, error) {
	var doc struct {
		Added   []indexEntry `json:"added"`
		Updated []indexEntry `json:"updated"`
		Removed []packageKey `json:"removed"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("can't decode delta: %w", err)
	}
	d := &delta{removed: doc.Removed}
	var err error
	if d.added, err = decodeEntries(doc.Added, resolver); err != nil {
		return nil, err
	}
	if d.updated, err = decodeEntries(doc.Updated, resolver); err != nil {
		return nil, err
	}
	return d, nil
}

func decodeEntries(entries []indexEntry, resolver indexer.RemoteResolver) (packages.Packages, error) {
	pkgs := make(packages.Packages, 0, len(entries))
	for _, e := range entries {
		p, err := decodePackage(e.PackageManifest, resolver)
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// apply returns the list that results from applying the delta to cur:
// removal beats update, updates replace in place and never add, additions
// are appended unless the key survived (so remove+add re-adds). cur is not
// modified; packages kept from it are copied, because deprecation
// propagation writes to the packages of the new list while requests may
// still read the old one.
func (d *delta) apply(cur packages.Packages, logger *zap.Logger) packages.Packages {
	removed := make(map[packageKey]bool, len(d.removed))
	for _, k := range d.removed {
		removed[k] = true
	}
	updated := make(map[packageKey]*packages.Package, len(d.updated))
	for _, p := range d.updated {
		updated[keyOf(p)] = p
	}
	out := make(packages.Packages, 0, len(cur)+len(d.added))
	kept := make(map[packageKey]bool, len(cur))
	for _, p := range cur {
		k := keyOf(p)
		if removed[k] {
			logger.Debug("removed package", zap.String("package", k.String()))
			continue
		}
		kept[k] = true
		if u, ok := updated[k]; ok {
			logger.Debug("updated package", zap.String("package", k.String()))
			out = append(out, u)
			continue
		}
		cp := *p
		out = append(out, &cp)
	}
	for _, p := range d.added {
		k := keyOf(p)
		if kept[k] {
			continue
		}
		kept[k] = true
		logger.Debug("added package", zap.String("package", k.String()))
		out = append(out, p)
	}
	return out
}
