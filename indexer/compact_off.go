//go:build eprfull

package indexer

// compactPackages is off in eprfull builds: every parsed package is kept
// complete (see compact_on.go).
const compactPackages = false
