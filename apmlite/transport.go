package apmlite

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
)

// maxBackoff caps the pause after failed sends, as the agents do (36 s).
const maxBackoff = 36 * time.Second

// backoff is the pause after n consecutive failures: n² seconds, at most
// maxBackoff, ±10 % so that many registries do not retry in step.
func backoff(n int) time.Duration {
	d := min(time.Duration(n*n)*time.Second, maxBackoff)
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return d + jitter
}

// loop is the sender: it batches queued events and POSTs them every
// FlushInterval, or as soon as BatchSize events wait. After a failure it
// pauses (backoff) while events keep collecting up to QueueSize, beyond
// which they are dropped. Sends are synchronous here, so a slow APM Server
// only ever fills the queue; request handlers never wait.
func (t *Tracer) loop() {
	defer close(t.done)
	var (
		batch    []envelope
		failures int
		retryAt  time.Time
		timer    = time.NewTimer(time.Hour)
		armed    bool
	)
	timer.Stop()
	arm := func(d time.Duration) {
		if armed {
			return
		}
		timer.Reset(d)
		armed = true
	}
	add := func(e envelope) {
		if len(batch) >= t.cfg.QueueSize {
			t.dropped.Add(1)
			return
		}
		batch = append(batch, e)
	}
	send := func(ctx context.Context) {
		if len(batch) == 0 {
			return
		}
		err := t.post(ctx, batch)
		clear(batch) // release the events for the collector
		batch = batch[:0]
		if err == nil {
			failures = 0
			retryAt = time.Time{}
			return
		}
		failures++
		pause := backoff(failures)
		retryAt = time.Now().Add(pause)
		t.logger.Load().Error("failed to send events to APM Server",
			zap.Error(err),
			zap.Duration("retry.after", pause),
			zap.Uint64("events.dropped", t.dropped.Load()))
	}
	// drain moves whatever is queued into the batch without waiting.
	drain := func() {
		for {
			select {
			case e := <-t.events:
				add(e)
			default:
				return
			}
		}
	}

	for {
		select {
		case e := <-t.events:
			add(e)
			if len(batch) >= t.cfg.BatchSize && !time.Now().Before(retryAt) {
				send(t.sendCtx)
			} else {
				arm(max(t.cfg.FlushInterval, time.Until(retryAt)))
			}
		case <-timer.C:
			armed = false
			if time.Now().Before(retryAt) {
				arm(time.Until(retryAt))
				continue
			}
			send(t.sendCtx)
		case done := <-t.flushReq:
			drain()
			send(t.sendCtx)
			close(done)
		case <-t.stop:
			drain()
			send(t.sendCtx)
			return
		}
	}
}

// post sends one request: the metadata line, then one line per event,
// gzip-compressed. APM Server answers 202 when it accepted the batch.
func (t *Tracer) post(ctx context.Context, batch []envelope) error {
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	zw.Write(t.metadataLine)
	zw.Write([]byte{'\n'})
	enc := json.NewEncoder(zw) // Encode ends each value with a newline
	enc.SetEscapeHTML(false)
	for i := range batch {
		// The model holds only strings, numbers and ids, so this cannot
		// fail in practice; a broken event must not cost the whole batch.
		_ = enc.Encode(&batch[i])
	}
	if err := zw.Close(); err != nil {
		return err
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("User-Agent", t.userAgent)
	if t.authz != "" {
		req.Header.Set("Authorization", t.authz)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("APM Server answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}
