package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// gatedIndexer holds every Get until open is closed, so that all the
// requests of a test are inside the server, past the cache, before the
// first answer exists.
type gatedIndexer struct {
	countingIndexer
	open chan struct{}
}

func (g *gatedIndexer) Get(ctx context.Context, opts *indexer.GetOptions) (packages.Packages, error) {
	<-g.open
	return g.countingIndexer.Get(ctx, opts)
}

// After an index swap every polling client misses the cache at once: the
// missing answer is computed once for all of them, not once per client,
// and they all get it.
func TestConcurrentMissesComputeOnce(t *testing.T) {
	fs, _ := fsIndexer(t)
	idx := &gatedIndexer{countingIndexer: countingIndexer{Indexer: fs}, open: make(chan struct{})}
	const clients = 16
	var arrived atomic.Int64
	opts := defaultOptions(idx)
	// Instrument sees every routed request before its handler: once all
	// clients are in, the indexer may answer.
	opts.Instrument = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if arrived.Add(1) == clients {
				close(idx.open)
			}
			next.ServeHTTP(w, r)
		})
	}
	srv := startServer(t, opts)

	bodies := make([]string, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			resp, err := http.Get(srv.URL + "/search?all=true")
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err == nil && resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %s", resp.Status)
			}
			bodies[i], errs[i] = string(b), err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if n := idx.gets.Load(); n != 1 {
		t.Errorf("%d clients missing the same answer made %d indexer calls, want 1", clients, n)
	}
	for i, b := range bodies {
		if b != bodies[0] || len(b) < 100 {
			t.Fatalf("client %d got %d bytes, client 0 %d", i, len(b), len(bodies[0]))
		}
	}
}
