package indexer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/Masterminds/semver/v3"
	"go.uber.org/zap"

	"github.com/eprgo/package-registry/packages"
)

// FSOptions configure the filesystem indexers.
type FSOptions struct {
	Paths             []string
	Workers           int
	RequireSignatures bool
	DisableValidation bool
	EnableWatcher     bool
	Logger            *zap.Logger
}

// FileSystemIndexer indexes local packages: version directories
// (NewFileSystemIndexer) or .zip files (NewZipFileSystemIndexer). The whole
// index is loaded at Init and replaced atomically by Rescan; requests only
// read the current snapshot. Packages are kept in their compact form
// (packages.Compact) unless the binary is built with the eprfull tag.
type FileSystemIndexer struct {
	opts   FSOptions
	isZip  bool
	name   string
	logger *zap.Logger

	current atomic.Pointer[snapshot]
	// generations numbers the snapshots (see Generation).
	generations atomic.Uint64

	// deprecations is the never-cleared memory of the newest deprecation
	// notice per package name: upstream never forgets a notice either, so
	// a deprecation outlives the removal of the version that declared it.
	deprecationsMu sync.Mutex
	deprecations   map[string]*packages.Deprecated
	rescanMu       sync.Mutex

	// Start-up sharing between the zip and directory indexers
	// (ziphints.go), under rescanMu: hintsFrom is the directory indexer a
	// zip indexer takes hints from; preloaded a directory load done for
	// them, which Init serves; onZipFiles collects them during that load;
	// initDone is set by the first load.
	hintsFrom  *FileSystemIndexer
	preloaded  *preload
	onZipFiles func(pkgPath string, rel []string)
	initDone   bool
}

// snapshot is one immutable version of the index.
type snapshot struct {
	generation uint64
	all        packages.Packages            // discovery order
	byName     map[string]packages.Packages // discovery order per name
	// loaded tells, per package path, how each served package was read,
	// so that the next Rescan can keep the packages whose files did not
	// change (nil when fingerprints were not taken).
	loaded map[string]*loadedPackage
}

func newSnapshot(generation uint64, pkgs packages.Packages, loaded map[string]*loadedPackage) *snapshot {
	s := &snapshot{generation: generation, all: pkgs, byName: make(map[string]packages.Packages), loaded: loaded}
	for _, p := range pkgs {
		s.byName[p.Name] = append(s.byName[p.Name], p)
	}
	return s
}

// NewFileSystemIndexer indexes `<path>/<name>/<version>/` directories.
func NewFileSystemIndexer(o FSOptions) *FileSystemIndexer {
	return newFSIndexer(o, false, "FileSystemIndexer")
}

// NewZipFileSystemIndexer indexes `.zip` files found at any depth.
func NewZipFileSystemIndexer(o FSOptions) *FileSystemIndexer {
	return newFSIndexer(o, true, "ZipFileSystemIndexer")
}

func newFSIndexer(o FSOptions, isZip bool, name string) *FileSystemIndexer {
	if o.Workers <= 0 {
		o.Workers = 1
	}
	logger := o.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	i := &FileSystemIndexer{
		opts:         o,
		isZip:        isZip,
		name:         name,
		logger:       logger.With(zap.String("indexer", name)),
		deprecations: make(map[string]*packages.Deprecated),
	}
	i.current.Store(newSnapshot(i.generations.Add(1), nil, nil))
	return i
}

// Name is the indexer's name in logs and metrics.
func (i *FileSystemIndexer) Name() string { return i.name }

// IsZip tells which kind of package this indexer reads.
func (i *FileSystemIndexer) IsZip() bool { return i.isZip }

// Paths are the configured package paths.
func (i *FileSystemIndexer) Paths() []string { return i.opts.Paths }

// Generation numbers the index snapshots: it changes on every swap, so an
// answer computed at one generation stays valid while it is current.
func (i *FileSystemIndexer) Generation() (uint64, bool) {
	return i.current.Load().generation, true
}

func (i *FileSystemIndexer) Init(ctx context.Context) error {
	// Without the watcher nothing reloads the index, so the fingerprints
	// that let a reload keep unchanged packages are not worth their cost.
	if err := i.rescan(ctx, i.opts.EnableWatcher); err != nil {
		i.logger.Error("initializing package filesystem index failed", zap.Error(err))
		return err
	}
	return nil
}

// Rescan reads every package path again and swaps the new index in. On
// error the previous index stays in service. Packages whose files are
// unchanged since the previous load are kept as they are.
func (i *FileSystemIndexer) Rescan(ctx context.Context) error {
	return i.rescan(ctx, true)
}

func (i *FileSystemIndexer) rescan(ctx context.Context, fingerprints bool) error {
	i.rescanMu.Lock()
	defer i.rescanMu.Unlock()
	var (
		pkgs   packages.Packages
		loaded map[string]*loadedPackage
		err    error
	)
	if pre := i.preloaded; pre != nil {
		i.preloaded = nil
		pkgs, loaded, err = pre.pkgs, pre.loaded, pre.err
	} else {
		pkgs, loaded, err = i.load(ctx, fingerprints)
	}
	first := !i.initDone
	i.initDone = true
	if err != nil {
		return err
	}
	i.current.Store(newSnapshot(i.generations.Add(1), pkgs, loaded))
	if first && len(pkgs) > 0 {
		// The first load allocates several times the index it builds;
		// give that back now rather than when the scavenger gets to it,
		// so the resident size is the index's. Not on rescans: those
		// reuse the unchanged packages and allocate little, and a forced
		// collection per change of a busy folder would cost CPU and make
		// resident memory swing with every change.
		debug.FreeOSMemory()
	}
	return nil
}

func (i *FileSystemIndexer) Close(ctx context.Context) error { return nil }

func (i *FileSystemIndexer) Get(ctx context.Context, opts *GetOptions) (packages.Packages, error) {
	s := i.current.Load()
	if opts == nil || opts.Filter == nil {
		return s.all, nil
	}
	candidates := s.all
	if name := opts.Filter.PackageName; name != "" {
		// Every filter stage works per name, so narrowing first gives the
		// same answer without scanning the whole index.
		candidates = s.byName[name]
		if len(candidates) == 0 {
			return nil, nil
		}
	}
	return opts.Filter.Apply(ctx, candidates)
}

// walkDirs finds `<root>/<any>/<strict semver>/` directories: a package
// folder holds one folder per package name, one per version inside it.
func (i *FileSystemIndexer) walkDirs(root string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		depth := len(strings.Split(filepath.ToSlash(rel), "/"))
		switch {
		case depth == 1:
			return nil
		case depth == 2 && d.IsDir():
			if _, err := semver.StrictNewVersion(d.Name()); err != nil {
				i.logger.Warn("ignoring unexpected directory", zap.String("file.path", path))
				return fs.SkipDir
			}
			found = append(found, path)
			return fs.SkipDir
		default:
			i.logger.Warn("ignoring unexpected file", zap.String("file.path", path))
			return nil
		}
	})
	if err != nil {
		return nil, fmt.Errorf("listing packages failed (path: %s): %w", root, err)
	}
	return found, nil
}
