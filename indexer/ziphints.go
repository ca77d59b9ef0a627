package indexer

import (
	"context"
	"path/filepath"
	"slices"
	"sync"

	"github.com/eprgo/package-registry/packages"
)

// Zip hints save the zip indexer a second walk of the directory packages.
//
// The zip indexer walks every folder of the package paths for .zip files,
// the inside of extracted packages included (as upstream does), and the
// directory indexer lists every one of those packages again to load it:
// on a directory corpus the zip walk was a sixth of the start-up CPU. So,
// at start, the directory indexer loads first (PreloadZipHints, called by
// the zip indexer's Init) and tells, per package folder whose listing
// covered the whole tree, which .zip files are in it; the zip walk takes
// those instead of walking the folder. Init of the directory indexer then
// serves that load. The answers are those of the two walks (tested): same
// zips, same order, same warnings. Only the start-up load does this; a
// rescan walks as before.

// preload is a directory load done ahead of Init.
type preload struct {
	pkgs   packages.Packages
	loaded map[string]*loadedPackage
	err    error
}

// UseZipHintsFrom makes the zip indexer z take the package folders of the
// directory indexer dirs from dirs' load at start (both must have the same
// package paths). Call before Init.
func (z *FileSystemIndexer) UseZipHintsFrom(dirs *FileSystemIndexer) {
	if z.isZip && dirs != nil && !dirs.isZip && slices.Equal(z.opts.Paths, dirs.opts.Paths) {
		z.hintsFrom = dirs
	}
}

// preloadZipHints loads the directory packages now and keeps the result
// for Init. It returns, per package folder with a complete listing, the
// .zip files in it (full paths, walk order), or nil when the indexer was
// already loaded.
func (i *FileSystemIndexer) preloadZipHints(ctx context.Context) map[string][]string {
	i.rescanMu.Lock()
	defer i.rescanMu.Unlock()
	if i.isZip || i.initDone || i.preloaded != nil {
		return nil
	}
	hints := map[string][]string{}
	var mu sync.Mutex
	i.onZipFiles = func(pkgPath string, rel []string) {
		zips := make([]string, len(rel))
		for n, r := range rel {
			zips[n] = filepath.Join(pkgPath, filepath.FromSlash(r))
		}
		mu.Lock()
		hints[pkgPath] = zips
		mu.Unlock()
	}
	pkgs, loaded, err := i.load(ctx, i.opts.EnableWatcher)
	i.onZipFiles = nil
	i.preloaded = &preload{pkgs: pkgs, loaded: loaded, err: err}
	if err != nil {
		return nil
	}
	return hints
}

// zipHints are the hints for this zip indexer's start-up walk, once.
func (i *FileSystemIndexer) zipHints(ctx context.Context) map[string][]string {
	if i.hintsFrom == nil || i.initDone {
		return nil
	}
	return i.hintsFrom.preloadZipHints(ctx)
}
