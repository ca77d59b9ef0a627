package server

import "epr/packages"

type (
	packagesList   = packages.Packages
	categoriesList = []packages.CategoryCount
	packagePtr     = *packages.Package
)
