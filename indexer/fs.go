package indexer

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/Masterminds/semver/v3"
	"go.uber.org/zap"

	"epr/packages"
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
// read the current snapshot.
type FileSystemIndexer struct {
	opts   FSOptions
	isZip  bool
	name   string
	logger *zap.Logger

	current atomic.Pointer[snapshot]

	// deprecations is the never-cleared memory of the newest deprecation
	// notice per package name (package-model.md §7.2, quirk Q12).
	deprecationsMu sync.Mutex
	deprecations   map[string]*packages.Deprecated
	rescanMu       sync.Mutex
}

// snapshot is one immutable version of the index.
type snapshot struct {
	all    packages.Packages            // discovery order
	byName map[string]packages.Packages // discovery order per name
}

func newSnapshot(pkgs packages.Packages) *snapshot {
	s := &snapshot{all: pkgs, byName: make(map[string]packages.Packages)}
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
	i.current.Store(newSnapshot(nil))
	return i
}

// Name is the indexer's name in logs and metrics.
func (i *FileSystemIndexer) Name() string { return i.name }

// IsZip tells which kind of package this indexer reads.
func (i *FileSystemIndexer) IsZip() bool { return i.isZip }

// Paths are the configured package paths.
func (i *FileSystemIndexer) Paths() []string { return i.opts.Paths }

func (i *FileSystemIndexer) Init(ctx context.Context) error {
	if err := i.Rescan(ctx); err != nil {
		i.logger.Error("initializing package filesystem index failed", zap.Error(err))
		return err
	}
	return nil
}

// Rescan reads every package path again and swaps the new index in. On
// error the previous index stays in service.
func (i *FileSystemIndexer) Rescan(ctx context.Context) error {
	i.rescanMu.Lock()
	defer i.rescanMu.Unlock()
	pkgs, err := i.load(ctx)
	if err != nil {
		return err
	}
	i.current.Store(newSnapshot(pkgs))
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

// load walks the package paths, parses the candidates concurrently and
// applies the indexer rules: signatures, duplicates, deprecations.
func (i *FileSystemIndexer) load(ctx context.Context) (packages.Packages, error) {
	i.logger.Info("Searching packages in filesystem")
	var candidates []string
	for _, root := range i.opts.Paths {
		var found []string
		var err error
		if i.isZip {
			found, err = i.walkZips(root)
		} else {
			found, err = i.walkDirs(root)
		}
		if err != nil {
			return nil, err
		}
		candidates = append(candidates, found...)
	}

	loaded := make(packages.Packages, len(candidates))
	errs := make([]error, len(candidates))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < i.opts.Workers && w < len(candidates); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range jobs {
				loaded[n], errs[n] = i.loadOne(candidates[n])
			}
		}()
	}
	for n := range candidates {
		if ctx.Err() != nil {
			break
		}
		jobs <- n
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	type key struct{ name, version string }
	seen := make(map[key]bool, len(loaded))
	pkgs := make(packages.Packages, 0, len(loaded))
	for _, p := range loaded {
		fields := []zap.Field{zap.String("package.name", p.Name), zap.String("package.version", p.Version), zap.String("package.path", p.BasePath)}
		k := key{p.Name, p.Version}
		if seen[k] {
			i.logger.Debug("duplicated package", fields...)
			continue
		}
		seen[k] = true
		i.logger.Debug("found package", fields...)
		pkgs = append(pkgs, p)
	}

	i.deprecationsMu.Lock()
	packages.PropagateDeprecations(pkgs, i.deprecations)
	i.deprecationsMu.Unlock()

	i.logger.Info("Searching packages in filesystem done", zap.Int("packages.size", len(pkgs)))
	return pkgs, nil
}

func (i *FileSystemIndexer) loadOne(path string) (*packages.Package, error) {
	p, err := packages.LoadPackage(path, packages.LoadOptions{
		DisableValidation: i.opts.DisableValidation,
		Logger:            i.logger,
	})
	if err != nil {
		return nil, fmt.Errorf("loading package failed (path: %s): failed to create package from path %s: %w", path, path, err)
	}
	if i.opts.RequireSignatures && p.SignaturePath == "" {
		return nil, fmt.Errorf("package %s-%s is missing a required signature file", p.Name, p.Version)
	}
	return p, nil
}

// walkDirs finds `<root>/<any>/<strict semver>/` directories
// (package-model.md §2.1).
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

// walkZips finds every valid zip archive under root, at any depth
// (package-model.md §2.2).
func (i *FileSystemIndexer) walkZips(root string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".zip") {
			return nil
		}
		r, err := zip.OpenReader(path)
		if err != nil {
			i.logger.Warn("ignoring invalid zip file", zap.String("file.path", path), zap.Error(err))
			return nil
		}
		r.Close()
		found = append(found, path)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing packages failed (path: %s): %w", root, err)
	}
	return found, nil
}
