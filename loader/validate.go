package loader

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/Masterminds/semver/v3"

	"github.com/eprgo/package-registry/packages"
)

// validatePackage is the package validation that
// -disable-package-validation switches off,
// in upstream's order. The caller adds the " accessing config" suffix.
func (l *packageLoad) validatePackage(p *packages.Package) error {
	if p.FormatVersion == "" {
		return fmt.Errorf("no format_version set: %v", p)
	}
	if _, err := semver.StrictNewVersion(p.FormatVersion); err != nil {
		// Upstream reports this as a package version error; so do we.
		return fmt.Errorf("invalid package version: %s, %w", p.FormatVersion, err)
	}
	version, err := semver.StrictNewVersion(p.Version)
	if err != nil {
		return err
	}
	if p.Release == "" {
		p.Release = inferRelease(version)
	}
	if p.Title == nil || *p.Title == "" {
		return fmt.Errorf("no title set for package: %s", p.Name)
	}
	if p.Description == "" {
		return errors.New("no description set")
	}
	for _, images := range [][]packages.Image{p.Icons, p.Screenshots} {
		for _, img := range images {
			if _, err := l.fsys.Stat(img.Src); err != nil {
				return err
			}
		}
	}
	if err := l.checkVersionMatchesPath(version); err != nil {
		return err
	}
	if err := validatePolicyTemplateInputs(p); err != nil {
		return err
	}
	return l.validateDataStreams(p)
}

// checkVersionMatchesPath compares the manifest version with the version
// directory name when that name reads as a (loose) version. Zip file names
// never do.
func (l *packageLoad) checkVersionMatchesPath(version *semver.Version) error {
	if l.isZip {
		return nil
	}
	dir := filepath.Base(l.location)
	dirVersion, err := semver.NewVersion(dir)
	if err != nil {
		return nil
	}
	if !dirVersion.Equal(version) {
		return fmt.Errorf("version in manifest file is not consistent with path: inconsistent versions (path: %s, manifest: %s)", dir, version.Original())
	}
	return nil
}

func validatePolicyTemplateInputs(p *packages.Package) error {
	for _, pt := range p.PolicyTemplates {
		for _, in := range pt.Inputs {
			switch {
			case in.Type == "" && in.Package == "":
				return fmt.Errorf("input %s in policy template %s must have a type or package", in.Title, pt.Name)
			case in.Type != "" && in.Package != "":
				return fmt.Errorf("input %s in policy template %s must have a type or package, but not both", in.Title, pt.Name)
			}
		}
	}
	return nil
}

// validateDataStreams builds and validates every data stream, keeping them
// for the loading step.
func (l *packageLoad) validateDataStreams(p *packages.Package) error {
	dirs, err := dataStreamDirs(l.fsys)
	if err != nil {
		return err
	}
	for _, dir := range dirs {
		ds, err := buildDataStream(l.fsys, p, dir, true)
		if err != nil {
			return fmt.Errorf("building data stream failed (path: data_stream/%s): %w", dir, err)
		}
		if err := revalidateDataStream(l.fsys, ds, dir); err != nil {
			return fmt.Errorf("validating data stream failed (path: data_stream/%s): %w", dir, err)
		}
		l.dataStreams[dir] = ds
	}
	return nil
}

func (l *packageLoad) loadDataStreams(p *packages.Package) ([]packages.DataStream, error) {
	dirs, err := dataStreamDirs(l.fsys)
	if err != nil {
		return nil, err
	}
	var out []packages.DataStream
	for _, dir := range dirs {
		ds, ok := l.dataStreams[dir]
		if !ok {
			if ds, err = buildDataStream(l.fsys, p, dir, false); err != nil {
				return nil, err
			}
		}
		out = append(out, *ds)
	}
	return out, nil
}
