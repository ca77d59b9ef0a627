// Package indexer defines the interface every package source implements
// (directories, zip files, Package Storage v2, SQL storage, proxy) and the
// combined indexer that merges them in precedence order.
package indexer

import (
	"context"

	"github.com/eprgo/package-registry/packages"
)

// GetOptions selects what Get returns.
type GetOptions struct {
	// Filter nil means every package, unfiltered.
	Filter *packages.Filter
	// FullData asks for the full package document (/package/{n}/{v}/).
	FullData bool
	// SkipPackageData means only name, version and location are needed
	// (artifact, signature and static lookups).
	SkipPackageData bool
}

// Indexer is a source of packages.
type Indexer interface {
	Init(ctx context.Context) error
	Get(ctx context.Context, opts *GetOptions) (packages.Packages, error)
	Close(ctx context.Context) error
}
