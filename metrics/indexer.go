package metrics

import (
	"context"
	"time"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// InstrumentIndexer times every Get call of idx into
// epr_indexer_get_duration_seconds{indexer=name}. It is for indexers that
// do not report the duration themselves (the filesystem ones; the storage
// indexers have their own hook). With a nil m, idx is returned as is.
func (m *Metrics) InstrumentIndexer(name string, idx indexer.Indexer) indexer.Indexer {
	if m == nil {
		return idx
	}
	return &timedIndexer{Indexer: idx, name: name, m: m}
}

type timedIndexer struct {
	indexer.Indexer
	name string
	m    *Metrics
}

func (t *timedIndexer) Get(ctx context.Context, opts *indexer.GetOptions) (packages.Packages, error) {
	start := time.Now()
	defer func() { t.m.ObserveIndexerGet(t.name, time.Since(start)) }()
	return t.Indexer.Get(ctx, opts)
}

// Unwrap gives access to the timed indexer, for its optional interfaces
// (indexer.GenerationOf).
func (t *timedIndexer) Unwrap() indexer.Indexer { return t.Indexer }
