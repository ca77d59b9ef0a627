package storage

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
)

// watcher runs an indexer's update loop in the background until stopped.
type watcher struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// startWatcher polls with update every interval, the first time right away
// (a second update right after Init, as upstream, so a revision published
// during start-up is picked up at once). Failures are logged and retried
// on the next tick; the indexer keeps serving its last good index.
// Interval 0 means no polling at all. With APM on (tracer not nil) each
// poll is an "updateIndex" transaction of type backend.watcher.
func startWatcher(interval time.Duration, logger *zap.Logger, tracer *apmlite.Tracer, update func(context.Context) error) *watcher {
	w := &watcher{cancel: func() {}}
	if interval == 0 {
		logger.Debug("No watcher configured, indices will not be updated (use only for testing purposes)")
		return w
	}
	logger.Debug("Watch indices for changes")
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			logger.Debug("watchIndices: start")
			tx := tracer.StartTransaction("updateIndex", apmlite.TypeBackendWatch)
			txCtx := apmlite.ContextWithTransaction(ctx, tx)
			if err := update(txCtx); err != nil {
				tx.SetOutcome(apmlite.OutcomeFailure)
				if ctx.Err() == nil {
					logger.Error("can't update index file", append(apmlite.TraceFields(txCtx), zap.Error(err))...)
				}
			} else {
				tx.SetOutcome(apmlite.OutcomeSuccess)
			}
			tx.End()
			logger.Debug("watchIndices: finished")
			select {
			case <-ctx.Done():
				logger.Debug("watchIndices: quit")
				return
			case <-ticker.C:
			}
		}
	}()
	return w
}

// stop ends the loop and waits for a running update to finish.
func (w *watcher) stop() {
	if w == nil {
		return
	}
	w.cancel()
	w.done.Wait()
}
