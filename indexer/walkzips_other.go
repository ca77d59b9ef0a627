//go:build !linux

package indexer

// fastZipTree has no fast walk to offer here: walkZipTree's is used.
func fastZipTree(string, map[string][]string) (zipWalk, bool) { return zipWalk{}, false }
