// Package loader reads a package from local disk into the model
// (packages.Package): the package file systems (directory, zip, and the
// listed view of a directory the loader uses), YAML decoding with its
// limits, validation, and the cache shared by the packages of one load.
package loader

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/Masterminds/semver/v3"
	"go.uber.org/zap"

	"github.com/eprgo/package-registry/packages"
)

// Options tune how a package is read from local disk.
type Options struct {
	// DisableValidation is -disable-package-validation.
	DisableValidation bool
	// Logger receives warnings (unknown categories); nil means no logging.
	Logger *zap.Logger
	// Cache, when set, is shared by the packages of one index load to skip
	// checks already passed on identical files (see Cache).
	Cache *Cache
	// OnZipFiles, when set, receives the paths (slash-separated, relative
	// to the package) of every entry of a directory package that is not a
	// directory and whose name ends in ".zip", in fs.WalkDir order, once
	// the package has loaded — and only when the loader's listing covered
	// the whole tree the way filepath.WalkDir would walk it. The zip
	// indexer uses it instead of walking the package again
	// (indexer/ziphints.go).
	OnZipFiles func(rel []string)
}

// Load reads the package at basePath: a version directory, or a .zip
// file when basePath ends in ".zip". The returned
// package has its Runtime initialised (BasePath, IsZip, parsed versions).
//
// Errors carry the cause only; the indexer adds the location prefix.
func Load(basePath string, opts Options) (*packages.Package, error) {
	isZip := strings.HasSuffix(basePath, ".zip")
	fsys, err := NewPackageFS(basePath, isZip)
	if err != nil {
		return nil, err
	}
	fsys = forLoading(fsys, opts.Cache)
	// Closed after wrapping: the loading view holds open folders of its
	// own, which closing only the inner file system would leak.
	defer fsys.Close()
	l := &packageLoad{
		fsys:        fsys,
		location:    basePath,
		isZip:       isZip,
		opts:        opts,
		dataStreams: map[string]*packages.DataStream{},
	}
	p, err := l.load()
	warnSkippedFiles(fsys, basePath, opts.Logger)
	if err == nil {
		p.Files = filesOf(fsys, basePath)
	}
	if err == nil && opts.OnZipFiles != nil {
		if lf, ok := fsys.(*listedFS); ok {
			if zips, complete := lf.zipFiles(); complete {
				opts.OnZipFiles(zips)
			}
		}
	}
	return p, err
}

// packageLoad holds the state of loading one package.
type packageLoad struct {
	fsys     PackageFS
	location string
	isZip    bool
	opts     Options
	// dataStreams caches the data streams built during validation, so the
	// later loading step does not build them twice.
	dataStreams map[string]*packages.DataStream
}

// load runs upstream's loading steps in upstream's order, so that the first
// error reported is the one upstream reports.
func (l *packageLoad) load() (*packages.Package, error) {
	data, err := readFile(l.fsys, "manifest.yml")
	if err != nil {
		return nil, err
	}
	tree, err := parseYAMLMapping("manifest.yml", data)
	if err != nil {
		return nil, err
	}
	d := &decoder{}
	p := decodePackage(d, node{m: tree})
	if d.err != nil {
		return nil, d.err
	}
	p.BasePath = l.location
	p.IsZip = l.isZip

	if !l.opts.DisableValidation {
		if err := l.validatePackage(p); err != nil {
			return nil, fmt.Errorf("%w accessing config", err)
		}
	}
	if err := l.completePolicyTemplates(p); err != nil {
		return nil, err
	}
	if p.Type == "" {
		p.Type = "integration"
	}
	if p.License == "" {
		p.License = "basic"
		if p.Conditions != nil && p.Conditions.Elastic != nil && p.Conditions.Elastic.Subscription != "" {
			p.License = p.Conditions.Elastic.Subscription
		}
	}
	if err := p.InitRuntime(); err != nil {
		return nil, err
	}
	setImagePaths(p, p.Icons)
	setImagePaths(p, p.Screenshots)
	if p.Release == "" {
		p.Release = inferRelease(p.SemVer)
	}
	if !validRelease(p.Release) {
		return nil, fmt.Errorf("invalid release: %q", p.Release)
	}
	if err := l.setReadme(p); err != nil {
		return nil, err
	}
	p.Download = fmt.Sprintf("/epr/%s/%s-%s.zip", p.Name, p.Name, p.Version)
	p.Path = packagePath(p)

	if p.Assets, err = collectAssets(l.fsys, p, l.opts.Logger); err != nil {
		return nil, fmt.Errorf("loading package assets failed (path '%s'): %w", l.location, err)
	}
	if p.DataStreams, err = l.loadDataStreams(p); err != nil {
		return nil, fmt.Errorf("loading package data streams failed (path '%s'): %w", l.location, err)
	}
	if err := l.setSignature(p); err != nil {
		return nil, err
	}
	l.dropUnknownCategories(p)
	return p, nil
}

func packagePath(p *packages.Package) string {
	return fmt.Sprintf("/package/%s/%s", p.Name, p.Version)
}

func setImagePaths(p *packages.Package, images []packages.Image) {
	for i := range images {
		images[i].Path = path.Join("/package", p.Name, p.Version, images[i].Src)
	}
}

// inferRelease is the release of a package without one: beta for
// prereleases and 0.x versions, ga otherwise; never experimental.
func inferRelease(v *semver.Version) string {
	if v.Prerelease() != "" || v.Major() == 0 {
		return "beta"
	}
	return "ga"
}

func validRelease(r string) bool {
	return r == "experimental" || r == "beta" || r == "ga"
}

// completePolicyTemplates derives the policy-template values (defaults,
// image paths, readme, ingestion method).
func (l *packageLoad) completePolicyTemplates(p *packages.Package) error {
	for i := range p.PolicyTemplates {
		pt := &p.PolicyTemplates[i]
		if pt.Multiple == nil {
			multiple := true
			pt.Multiple = &multiple
		}
		setImagePaths(p, pt.Icons)
		setImagePaths(p, pt.Screenshots)
		if err := l.setPolicyTemplateReadme(p, pt); err != nil {
			return err
		}
		// Input packages always take the table value, even when it is
		// empty, as upstream's loader does.
		if p.Type == "input" && pt.Input != "" {
			pt.IngestionMethod = ingestionMethod(pt.Input)
		}
		if dm := pt.DeploymentModes; dm != nil && dm.Agentless != nil && dm.Agentless.Release != "" {
			if r := dm.Agentless.Release; r != "beta" && r != "ga" {
				return fmt.Errorf("policy template %q: invalid agentless release: %q", pt.Name, r)
			}
		}
	}
	return nil
}

func (l *packageLoad) setPolicyTemplateReadme(p *packages.Package, pt *packages.PolicyTemplate) error {
	file := pt.Name + ".md"
	info, err := l.fsys.Stat(path.Join("docs", file))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("failed to find %s file: %w", file, err)
	case info.IsDir():
		return fmt.Errorf("%s is a directory", file)
	}
	pt.Readme = path.Join(packagePath(p), "docs", file)
	return nil
}

// setReadme requires docs/README.md, even with validation off.
func (l *packageLoad) setReadme(p *packages.Package) error {
	info, err := l.fsys.Stat("docs/README.md")
	if err != nil {
		return fmt.Errorf("no readme file found, README.md is required: %w", err)
	}
	if info.IsDir() {
		return errors.New("README.md is a directory")
	}
	p.Readme = packagePath(p) + "/docs/README.md"
	return nil
}

// setSignature looks for "<location>.sig" on local disk. The
// published path is built from name and version, not from the file name.
//
// A signature that is not a regular file (a FIFO, a device, a folder) is
// left out with a warning, as any such package file: serving it could
// block or never end, so the package is published without signature.
func (l *packageLoad) setSignature(p *packages.Package) error {
	sig := filepath.Clean(l.location) + ".sig"
	info, err := os.Stat(sig)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("can't process the package signature: can't stat signature file: %w", err)
	}
	if !info.Mode().IsRegular() {
		reason := typeProblem(info.Mode())
		if reason == "" {
			reason = "not a regular file (directory)"
		}
		warnNotServed(l.opts.Logger, p, sig, reason)
		return nil
	}
	p.SignaturePath = fmt.Sprintf("/epr/%s/%s-%s.zip.sig", p.Name, p.Name, p.Version)
	return nil
}

// dropUnknownCategories removes package-level categories missing from the
// catalogue, with one warning each. Policy-template categories are
// left alone.
func (l *packageLoad) dropUnknownCategories(p *packages.Package) {
	if p.Categories == nil {
		return
	}
	kept := make([]string, 0, len(p.Categories))
	for _, c := range p.Categories {
		if packages.IsKnownCategory(c) {
			kept = append(kept, c)
			continue
		}
		if l.opts.Logger != nil {
			l.opts.Logger.Warn("package uses an unknown category, will be ignored",
				zap.String("package", p.Name),
				zap.String("version", p.Version),
				zap.String("category", c))
		}
	}
	p.Categories = kept
}

// maxParsedFileSize caps the files the loader parses (manifests, fields
// files, ingest pipelines). The YAML parser needs some 60 times the size of
// a node-dense document in memory, so a few megabytes of "- a" lines could
// otherwise take gigabytes; real files stay far below the cap.
const maxParsedFileSize = 4 << 20

func readFile(fsys PackageFS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tooLarge := fmt.Errorf("%s: file too large to be parsed (more than %d bytes)", name, maxParsedFileSize)
	if info, err := f.Stat(); err == nil && info.Size() > maxParsedFileSize {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(f, maxParsedFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxParsedFileSize {
		return nil, tooLarge
	}
	return data, nil
}

// zipFiles lists the entries that are not directories and whose name ends
// in ".zip", in walk order, and tells whether the listing is what
// filepath.WalkDir would see of the tree: every folder read, none left
// out for a non-UTF-8 name.
func (f *listedFS) zipFiles() ([]string, bool) {
	f.list()
	if f.rootErr != nil || len(f.failed) > 0 {
		return nil, false
	}
	var zips []string
	for _, e := range f.entries {
		if e.readErr != nil {
			return nil, false
		}
		if e.mode.IsDir() {
			// A folder the listing did not enter (not UTF-8, or not
			// package content: too deep, badly named) hides what
			// filepath.WalkDir would find in it.
			if !utf8.ValidString(e.path) || e.hidden != "" {
				return nil, false
			}
			continue
		}
		if strings.HasSuffix(e.path, ".zip") {
			zips = append(zips, e.path)
		}
	}
	return zips, true
}
