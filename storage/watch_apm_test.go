package storage

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/apmlite/apmlitetest"
)

// TestWatcherPollsAreTransactions: with APM on, each index poll is an
// "updateIndex" transaction of type backend.watcher, run with the
// transaction in its context; a failed poll is a failure and its error,
// logged at error level, reaches APM linked to it (docs/operations.md,
// "APM").
func TestWatcherPollsAreTransactions(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	tracer, err := apmlite.NewFromEnv(apm.Env(map[string]string{"ELASTIC_APM_FLUSH_INTERVAL": "10ms"}), "package-registry", "1.40.1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tracer.Close)

	var calls atomic.Int32
	var withoutTx atomic.Bool
	update := func(ctx context.Context) error {
		if apmlite.TransactionFromContext(ctx) == nil {
			withoutTx.Store(true)
		}
		if calls.Add(1) == 2 {
			return errors.New("can't load latest cursor")
		}
		return nil
	}
	w := startWatcher(time.Millisecond, tracer.WrapLogger(zap.NewNop()), tracer, update)
	txs := apm.WaitFor(t, "transaction", func(ev []map[string]any) bool { return len(ev) >= 3 })
	w.stop()

	if withoutTx.Load() {
		t.Error("update ran without its transaction in the context")
	}
	for i, want := range []string{"success", "failure", "success"} {
		tx := txs[i]
		if tx["name"] != "updateIndex" || tx["type"] != "backend.watcher" || tx["outcome"] != want {
			t.Errorf("poll %d: %v, want outcome %s", i, tx, want)
		}
	}
	errs := apm.WaitFor(t, "error", func(ev []map[string]any) bool { return len(ev) >= 1 })
	e := errs[0]
	if e["transaction_id"] != txs[1]["id"] || e["trace_id"] != txs[1]["trace_id"] {
		t.Errorf("error %v not linked to the failed poll %v", e, txs[1])
	}
	if msg := e["log"].(map[string]any)["message"]; msg != "can't update index file" {
		t.Errorf("log.message %v", msg)
	}
}

// TestWatcherWithoutAPM: a nil tracer changes nothing.
func TestWatcherWithoutAPM(t *testing.T) {
	done := make(chan struct{}, 1)
	w := startWatcher(time.Hour, zap.NewNop(), nil, func(ctx context.Context) error {
		if apmlite.TransactionFromContext(ctx) != nil {
			t.Error("a transaction without a tracer")
		}
		done <- struct{}{}
		return nil
	})
	<-done
	w.stop()
}
