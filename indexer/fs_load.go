package indexer

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/loader"
	"github.com/eprgo/package-registry/packages"
)

// loadedPackage is how a served package was read: the fingerprint of its
// files, the package as served and its manifest's own deprecation notice
// (before propagation). A Rescan keeps the package when the fingerprint is
// the same and propagation gives it the same notice.
type loadedPackage struct {
	fp  fingerprint
	pkg *packages.Package
	own *packages.Deprecated
}

// candidate is one package path during a load.
type candidate struct {
	path string
	// pkg is the package in its serving form (compact), with its own
	// notice; kept from the previous snapshot or freshly loaded.
	pkg *packages.Package
	own *packages.Deprecated
	fp  *fingerprint
	err error
}

// load walks the package paths, reads the candidates concurrently and
// applies the indexer rules: signatures, duplicates, deprecations. With
// fingerprints, every package's files are fingerprinted and the packages
// of the previous snapshot whose files did not change are reused instead
// of being read again; loaded is then what the next load can reuse.
func (i *FileSystemIndexer) load(ctx context.Context, fingerprints bool) (pkgs packages.Packages, loaded map[string]*loadedPackage, err error) {
	i.logger.Info("Searching packages in filesystem")
	var paths []string
	var hints map[string][]string
	if i.isZip {
		hints = i.zipHints(ctx)
	}
	for _, root := range i.opts.Paths {
		var found []string
		if i.isZip {
			found, err = i.walkZips(ctx, root, hints)
		} else {
			found, err = i.walkDirs(root)
		}
		if err != nil {
			return nil, nil, err
		}
		paths = append(paths, found...)
	}

	// Reusing packages needs their compact form: full packages get their
	// deprecation set in place, which served packages must never see.
	reuse := fingerprints && compactPackages
	var previous map[string]*loadedPackage
	if reuse {
		previous = i.current.Load().loaded
	}
	cache := loader.NewCache()
	interner := packages.NewInterner()
	cands := make([]candidate, len(paths))
	err = i.parallel(ctx, len(cands), func(n int) {
		c := &cands[n]
		c.path = paths[n]
		if reuse {
			if fp, err := fingerprintOf(c.path, i.isZip); err == nil {
				c.fp = &fp
				if old := previous[c.path]; old != nil && old.fp == fp {
					c.pkg, c.own = old.pkg, old.own
					return
				}
			}
		}
		p, err := i.loadOne(c.path, cache)
		if err != nil {
			c.err = err
			return
		}
		c.own = p.Deprecated
		// Compacted at once, with the package's own notice, so that a
		// load never holds every complete package; the few whose notice
		// propagation changes are read again (finish).
		c.pkg = i.compact(p, interner)
	})
	if err != nil {
		return nil, nil, err
	}
	errs := make([]error, len(cands))
	for n := range cands {
		errs[n] = cands[n].err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}

	served := i.dropDuplicates(cands)
	notices := i.propagateDeprecations(served)
	pkgs = make(packages.Packages, len(served))
	errs = make([]error, len(served))
	err = i.parallel(ctx, len(served), func(n int) {
		pkgs[n], errs[n] = i.finish(served[n], notices[n], cache, interner)
	})
	if err != nil {
		return nil, nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	if reuse {
		loaded = make(map[string]*loadedPackage, len(served))
		for n, c := range served {
			if c.fp != nil {
				loaded[c.path] = &loadedPackage{fp: *c.fp, pkg: pkgs[n], own: c.own}
			}
		}
	}
	i.logger.Info("Searching packages in filesystem done", zap.Int("packages.size", len(pkgs)))
	return pkgs, loaded, nil
}

// parallel runs fn for 0..n-1 on the indexer's workers. It stops handing
// out work when ctx ends and then returns ctx's error.
func (i *FileSystemIndexer) parallel(ctx context.Context, n int, fn func(int)) error {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < i.opts.Workers && w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				fn(j)
			}
		}()
	}
	for j := 0; j < n; j++ {
		if ctx.Err() != nil {
			break
		}
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	return ctx.Err()
}

// dropDuplicates keeps the first candidate of every name and version, in
// discovery order.
func (i *FileSystemIndexer) dropDuplicates(cands []candidate) []*candidate {
	type key struct{ name, version string }
	seen := make(map[key]bool, len(cands))
	served := make([]*candidate, 0, len(cands))
	for n := range cands {
		c := &cands[n]
		p := c.pkg
		fields := []zap.Field{zap.String("package.name", p.Name), zap.String("package.version", p.Version), zap.String("package.path", p.BasePath)}
		k := key{p.Name, p.Version}
		if seen[k] {
			i.logger.Debug("duplicated package", fields...)
			continue
		}
		seen[k] = true
		i.logger.Debug("found package", fields...)
		served = append(served, c)
	}
	return served
}

// propagateDeprecations computes the notice every served package shows
// (packages.PropagateDeprecations), from the manifests' own notices. It
// works on stand-ins, since kept packages are shared with the snapshot in
// service and must not change.
func (i *FileSystemIndexer) propagateDeprecations(served []*candidate) []*packages.Deprecated {
	stand := make(packages.Packages, len(served))
	for n, c := range served {
		stand[n] = &packages.Package{Name: c.pkg.Name, Version: c.pkg.Version, Deprecated: c.own}
		stand[n].SemVer = c.pkg.SemVer
	}
	i.deprecationsMu.Lock()
	packages.PropagateDeprecations(stand, i.deprecations)
	i.deprecationsMu.Unlock()
	notices := make([]*packages.Deprecated, len(served))
	for n, p := range stand {
		notices[n] = p.Deprecated
	}
	return notices
}

// finish gives a served package its notice. Packages are compacted with
// their manifest's notice; one that propagation gives another notice is
// read again, since its document shows the notice. Complete packages
// (eprfull builds) just take it: they are not served yet.
func (i *FileSystemIndexer) finish(c *candidate, notice *packages.Deprecated, cache *loader.Cache, in *packages.Interner) (*packages.Package, error) {
	if c.pkg.Doc == nil && !compactPackages {
		c.pkg.Deprecated = notice
		return c.pkg, nil
	}
	if sameDeprecation(c.pkg.Deprecated, notice) {
		return c.pkg, nil
	}
	p, err := i.loadOne(c.path, cache)
	if err != nil {
		return nil, err
	}
	p.Deprecated = notice
	return i.compact(p, in), nil
}

// compact returns the serving form of a freshly loaded package: compact,
// unless the build keeps complete packages or the document cannot be
// rendered (a value JSON cannot hold), in which case /package/ fails as it
// would have without compaction.
func (i *FileSystemIndexer) compact(p *packages.Package, in *packages.Interner) *packages.Package {
	if !compactPackages {
		return p
	}
	c, err := packages.Compact(p, in)
	if err != nil {
		i.logger.Warn("keeping package complete", zap.String("package.path", p.BasePath), zap.Error(err))
		return p
	}
	return c
}

func sameDeprecation(a, b *packages.Deprecated) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Since != b.Since || a.Description != b.Description {
		return false
	}
	if a.ReplacedBy == nil || b.ReplacedBy == nil {
		return a.ReplacedBy == b.ReplacedBy
	}
	return *a.ReplacedBy == *b.ReplacedBy
}

func (i *FileSystemIndexer) loadOne(path string, cache *loader.Cache) (*packages.Package, error) {
	opts := loader.Options{
		DisableValidation: i.opts.DisableValidation,
		Logger:            i.logger,
		Cache:             cache,
	}
	if collect := i.onZipFiles; collect != nil {
		opts.OnZipFiles = func(rel []string) { collect(path, rel) }
	}
	p, err := loader.Load(path, opts)
	if err != nil {
		return nil, fmt.Errorf("loading package failed (path: %s): failed to create package from path %s: %w", path, path, err)
	}
	if i.opts.RequireSignatures && p.SignaturePath == "" {
		return nil, fmt.Errorf("package %s-%s is missing a required signature file", p.Name, p.Version)
	}
	return p, nil
}
