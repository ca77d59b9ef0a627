package util

import (
	"io"
	"sync"
)

// batchWriter writes log lines to a file or pipe in batches, without a
// goroutine of its own: the line that finds no write in progress is
// written at once by its caller, as an unbuffered sink would; lines that
// arrive while that write is in progress are appended to a buffer and
// written by the same caller in one more call when its write returns. On
// a quiet process nothing changes; under load most requests no longer pay
// a system call for their access-log line.
//
// A caller writes at most a few batches before handing the rest to a
// goroutine, so no request is held up long by other requests' lines. The
// buffer is bounded: when the destination cannot keep up (a stalled pipe)
// the loggers wait, as with an unbuffered sink, instead of growing memory.
// zap syncs before a fatal entry exits the process, and Sync waits for
// the lines still buffered.
type batchWriter struct {
	w   io.Writer
	max int

	mu      sync.Mutex
	cond    sync.Cond // signalled when a batch is written
	buf     []byte
	spare   []byte
	running bool // a caller or goroutine is writing
	err     error
}

// batchWriterMax bounds the buffered lines.
const batchWriterMax = 256 << 10

// leaderBatches is how many batches the caller that started writing
// writes before a goroutine takes over.
const leaderBatches = 3

func newBatchWriter(w io.Writer, max int) *batchWriter {
	b := &batchWriter{w: w, max: max}
	b.cond.L = &b.mu
	return b
}

// Write writes or buffers p, which zap passes as one whole line, so lines
// never interleave. It always reports success: a failed write is
// returned by the next Sync.
func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	for len(b.buf) > 0 && len(b.buf)+len(p) > b.max {
		b.cond.Wait()
	}
	b.buf = append(b.buf, p...)
	if b.running {
		b.mu.Unlock()
		return len(p), nil
	}
	b.running = true
	b.writeBatches(leaderBatches)
	if len(b.buf) > 0 {
		b.mu.Unlock()
		go func() {
			b.mu.Lock()
			b.writeBatches(-1)
			b.finish()
		}()
		return len(p), nil
	}
	b.finish()
	return len(p), nil
}

// writeBatches writes the buffer until it is empty or n batches were
// written (n < 0: no limit). b.mu is held on entry and on return.
func (b *batchWriter) writeBatches(n int) {
	for ; len(b.buf) > 0 && n != 0; n-- {
		out := b.buf
		b.buf, b.spare = b.spare[:0], nil
		b.mu.Unlock()
		_, err := b.w.Write(out)
		b.mu.Lock()
		if err != nil && b.err == nil {
			b.err = err
		}
		if cap(out) <= 2*b.max {
			b.spare = out[:0]
		}
		b.cond.Broadcast()
	}
}

// finish ends a writing turn and unlocks b.mu.
func (b *batchWriter) finish() {
	b.running = false
	b.cond.Broadcast()
	b.mu.Unlock()
}

// Sync waits for the buffered lines to be written, then syncs the
// underlying writer if it can.
func (b *batchWriter) Sync() error {
	b.mu.Lock()
	for b.running {
		b.cond.Wait()
	}
	err := b.err
	b.err = nil
	b.mu.Unlock()
	if s, ok := b.w.(interface{ Sync() error }); ok {
		if serr := s.Sync(); err == nil {
			err = serr
		}
	}
	return err
}
