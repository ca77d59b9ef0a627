package logging

import (
	"io"
	"sync"
	"time"
)

// batchWriter writes log lines to a file or pipe, at most one write per
// window while lines keep coming. A line that arrives when the last write
// is older than the window is written at once by its caller, as with an
// unbuffered sink, so a quiet registry logs without delay. A line that
// arrives sooner is buffered, and a timer writes the buffer when the window
// ends: under load the access log costs one write per window instead of
// one per request (a write per line was more than a tenth of the CPU of a
// small cached answer), and a line waits at most the window.
//
// The buffer is bounded: past it the caller writes the buffer itself, and
// a destination that cannot keep up (a stalled pipe) holds the loggers back
// as an unbuffered sink would, instead of growing memory. zap syncs before
// a fatal entry exits the process; Sync writes what is buffered.
type batchWriter struct {
	w      io.Writer
	max    int
	window time.Duration

	mu      sync.Mutex
	cond    sync.Cond // signalled when a write ends
	buf     []byte
	spare   []byte
	writing bool      // a write to w is in progress
	armed   bool      // the timer will write the buffer
	last    time.Time // start of the last write
	err     error
}

const (
	// batchWriterMax bounds the buffered lines.
	batchWriterMax = 256 << 10
	// batchWindow is the longest a log line waits under load.
	batchWindow = 10 * time.Millisecond
)

func newBatchWriter(w io.Writer, max int, window time.Duration) *batchWriter {
	b := &batchWriter{w: w, max: max, window: window}
	b.cond.L = &b.mu
	return b
}

// Write writes or buffers p, which zap passes as one whole line, so lines
// never interleave. It always reports success: a failed write is
// returned by the next Sync.
func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	now := time.Now()
	switch {
	case len(b.buf) >= b.max:
		b.flushLocked(now)
	case b.armed:
	case b.writing || now.Sub(b.last) < b.window:
		b.armed = true
		time.AfterFunc(b.window-now.Sub(b.last), b.timer)
	default:
		b.flushLocked(now)
	}
	return len(p), nil
}

// timer writes what was buffered during the window.
func (b *batchWriter) timer() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.armed = false
	b.flushLocked(time.Now())
}

// flushLocked waits for a write in progress, then writes the buffer. b.mu
// is held on entry and on return, and released during the write.
func (b *batchWriter) flushLocked(now time.Time) {
	for b.writing {
		b.cond.Wait()
	}
	if len(b.buf) == 0 {
		return
	}
	out := b.buf
	b.buf, b.spare = b.spare[:0], nil
	b.writing, b.last = true, now
	b.mu.Unlock()
	_, err := b.w.Write(out)
	b.mu.Lock()
	b.writing = false
	if err != nil && b.err == nil {
		b.err = err
	}
	if cap(out) <= 2*b.max {
		b.spare = out[:0]
	}
	b.cond.Broadcast()
}

// Sync writes the buffered lines, then syncs the underlying writer if it
// can.
func (b *batchWriter) Sync() error {
	b.mu.Lock()
	b.flushLocked(time.Now())
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
