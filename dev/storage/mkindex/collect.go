package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/eprgo/package-registry/loader"
	"github.com/eprgo/package-registry/packages"
)

// entry is one package with the document the registry would serve for it.
type entry struct {
	key string // <name>-<version>
	doc []byte
}

// collect loads the packages of the directories, in directory order and
// lexical order within each, keeping the first copy of a name and version.
func collect(dirs []string, disableValidation bool) ([]entry, error) {
	var out []entry
	seen := map[string]bool{}
	for _, dir := range dirs {
		paths, err := packagePaths(dir)
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			pkg, err := loader.Load(p, loader.Options{DisableValidation: disableValidation})
			if err != nil {
				return nil, fmt.Errorf("loading package failed (path: %s): %w", p, err)
			}
			key := pkg.Name + "-" + pkg.Version
			if seen[key] {
				continue
			}
			seen[key] = true
			doc, err := packages.MarshalIndentJSON(pkg)
			if err != nil {
				return nil, fmt.Errorf("encoding %s: %w", key, err)
			}
			out = append(out, entry{key: key, doc: doc})
		}
	}
	return out, nil
}

// packagePaths lists <dir>/<name>/<strict semver>/ directories and
// <dir>/*.zip files, sorted.
func packagePaths(dir string) ([]string, error) {
	top, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range top {
		p := filepath.Join(dir, e.Name())
		if !e.IsDir() {
			if strings.HasSuffix(e.Name(), ".zip") {
				paths = append(paths, p)
			}
			continue
		}
		versions, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		for _, v := range versions {
			if _, err := semver.StrictNewVersion(v.Name()); err == nil && v.IsDir() {
				paths = append(paths, filepath.Join(p, v.Name()))
			}
		}
	}
	sort.Strings(paths)
	return paths, nil
}
