package indexer_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/apmlite/apmlitetest"
	"github.com/eprgo/package-registry/indexer"
)

// TestWatcherRescansAreTransactions: with APM on, every rescan is an
// "updateFSIndex" transaction of type backend.watcher; a failed one is a
// failure whose log line carries its trace ids.
func TestWatcherRescansAreTransactions(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	tracer, err := apmlite.NewFromEnv(apm.Env(map[string]string{"ELASTIC_APM_FLUSH_INTERVAL": "10ms"}), "package-registry", "1.40.1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tracer.Close)

	f := &fixture{root: t.TempDir(), staging: t.TempDir()}
	writePkg(t, filepath.Join(f.root, "ok", "1.0.0"), "ok", "1.0.0", "ok")
	f.start(t, indexer.WatchOptions{Debounce: 50 * time.Millisecond, Tracer: tracer}, false)

	moveIn(t, f.staging, filepath.Join(f.root, "beta", "1.0.0"), "beta", "1.0.0", "b1")
	indexIs(t, f.combined, "beta@1.0.0=b1 ok@1.0.0=ok")
	apm.WaitFor(t, "transaction", func(ev []map[string]any) bool { return hasOutcome(ev, "success") })

	mustWrite(t, filepath.Join(f.root, "broken", "1.0.0", "manifest.yml"), "version: 1.0.0\n")
	logged(t, f.logs, "updating package filesystem index failed", 1)
	txs := apm.WaitFor(t, "transaction", func(ev []map[string]any) bool { return hasOutcome(ev, "failure") })

	for _, tx := range txs {
		if tx["name"] != "updateFSIndex" || tx["type"] != "backend.watcher" {
			t.Errorf("transaction %v", tx)
		}
	}
	failed := f.logs.FilterMessage("updating package filesystem index failed").All()[0].ContextMap()
	var linked bool
	for _, tx := range txs {
		linked = linked || (tx["outcome"] == "failure" && failed["trace.id"] == tx["trace_id"] && failed["transaction.id"] == tx["id"])
	}
	if !linked {
		t.Errorf("failure line %v does not carry the ids of a failed transaction in %v", failed, txs)
	}
}

func hasOutcome(events []map[string]any, outcome string) bool {
	for _, e := range events {
		if e["outcome"] == outcome {
			return true
		}
	}
	return false
}
