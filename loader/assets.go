package loader

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/packages"
)

// collectAssets lists the files of the package as URL paths, depth level by
// depth level, as upstream lists them. Inside a level the order is the file
// system's Glob order. The walk stops at the first level without any match,
// which is why zips without directory entries can miss deep files (upstream does
// the same). A directory whose name contains "-" fails the package.
//
// Entries that can never be served are left out with a warning instead of
// failing the package (docs/security.md): names that are not valid UTF-8
// (JSON would change them into another name) and symbolic links that lead
// outside the package, nowhere, or in a loop.
func collectAssets(fsys PackageFS, p *packages.Package, logger *zap.Logger) ([]string, error) {
	var assets []string
	for pattern := "*"; ; pattern += "/*" {
		matches, err := fsys.Glob(pattern)
		if err != nil {
			return nil, err
		}
		if len(matches) == 0 {
			return assets, nil
		}
		for _, m := range matches {
			if strings.Contains(m, ".DS_Store") {
				continue
			}
			if !utf8.ValidString(m) {
				warnSkippedFile(logger, p, m, "file name is not valid UTF-8")
				continue
			}
			info, err := fsys.Stat(m)
			if unservableLink(err) {
				warnSkippedFile(logger, p, m, err.Error())
				continue
			}
			if err != nil {
				return nil, err
			}
			if info.IsDir() {
				if strings.Contains(path.Base(m), "-") {
					return nil, fmt.Errorf("directory name inside package %s contains -: %s", p.Name, m)
				}
				continue
			}
			assets = append(assets, packagePath(p)+"/"+m)
		}
	}
}

// unservableLink tells whether a listed entry failed to stat because it is
// a symbolic link the package file system refuses to follow (out of the
// package), a dangling one, or a loop. Glob just listed the entry, so "does
// not exist" can only mean a link to nothing (or a file removed meanwhile).
func unservableLink(err error) bool {
	if err == nil {
		return false
	}
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ELOOP) ||
		// os.Root's error for links leading out of the root is not
		// exported, hence the text match.
		strings.Contains(err.Error(), "path escapes from parent")
}

func warnSkippedFile(logger *zap.Logger, p *packages.Package, name, reason string) {
	warnNotServed(logger, p, path.Join(p.BasePath, name), reason)
}

// warnNotServed logs that the file at filePath, of package p, is left out.
func warnNotServed(logger *zap.Logger, p *packages.Package, filePath, reason string) {
	if logger == nil {
		return
	}
	logger.Warn("ignoring package file that cannot be served",
		zap.String("file.path", filePath),
		zap.String("package", p.Name),
		zap.String("version", p.Version),
		zap.String("reason", reason))
}

// warnSkippedFiles logs, once per load, what a package's file system
// left out of the package: zip entries, or entries of a folder that are
// not package content (special files, names nameProblem refuses). The
// server never reads these warnings' files again, so they are not
// repeated per request.
func warnSkippedFiles(fsys PackageFS, location string, logger *zap.Logger) {
	if w, ok := fsys.(withCache); ok {
		fsys = w.PackageFS
	}
	msg, isZip := "ignoring package file that cannot be served", false
	var skipped []skippedEntry
	switch f := fsys.(type) {
	case *zipFS:
		msg, isZip, skipped = "ignoring zip entry that cannot be served", true, f.skipped
	case *listedFS:
		skipped = f.skipped
	}
	if logger == nil {
		return
	}
	for _, s := range skipped {
		fields := []zap.Field{zap.String("file.path", filepath.Join(location, filepath.FromSlash(s.name)))}
		if isZip {
			fields = []zap.Field{zap.String("file.path", location), zap.String("zip.entry", s.name)}
		}
		logger.Warn(msg, append(fields, zap.String("reason", s.reason))...)
	}
}
