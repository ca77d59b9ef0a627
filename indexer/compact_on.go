//go:build !eprfull

package indexer

// compactPackages: indexed packages are kept in their compact form
// (packages.Compact). Build with -tags eprfull to keep every parsed
// package complete instead, the reference of docs/performance.md's memory
// figures.
const compactPackages = true
