package server

import "github.com/eprgo/package-registry/packages"

type (
	packagesList   = packages.Packages
	categoriesList = []packages.CategoryCount
	packagePtr     = *packages.Package
)
