package packages

import (
	"fmt"
	"path"
	"strings"
)

// collectAssets lists the files of the package as URL paths, depth level by
// depth level (package-model.md §4.10). Inside a level the order is the
// file system's Glob order. The walk stops at the first level without any
// match, which is why zips without directory entries can miss deep files
// (quirk Q3). A directory whose name contains "-" fails the package.
func collectAssets(fsys PackageFS, p *Package) ([]string, error) {
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
			info, err := fsys.Stat(m)
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
