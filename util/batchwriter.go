package util

import (
	"io"
	"runtime"
	"sync"
)

// batchWriter writes log lines to a file or pipe in batches: a line is
// appended to a buffer and one goroutine, started when the buffer stops
// being empty, writes whatever has accumulated with one system call.
// When the process is quiet every line is written at once, as before;
// under load the lines that arrive during a write go out together in the
// next one, instead of costing every request its own write (a seventh of
// the CPU of a small cached answer). Sync waits until everything buffered
// is written, and zap syncs before a fatal entry exits the process.
//
// The buffer is bounded: a writer that cannot keep up (a stalled pipe)
// holds the loggers back, as an unbuffered sink would, instead of growing
// memory.
type batchWriter struct {
	w   io.Writer
	max int

	mu      sync.Mutex
	cond    sync.Cond // signalled when a batch is written
	buf     []byte
	spare   []byte
	running bool // a drain goroutine is writing
	err     error
}

// batchWriterMax bounds the buffered lines.
const batchWriterMax = 256 << 10

func newBatchWriter(w io.Writer, max int) *batchWriter {
	b := &batchWriter{w: w, max: max}
	b.cond.L = &b.mu
	return b
}

// Write buffers p, which zap passes as one whole line, so lines never
// interleave. It always reports success: a failed write is returned by
// the next Sync.
func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	for len(b.buf) > 0 && len(b.buf)+len(p) > b.max {
		b.cond.Wait()
	}
	b.buf = append(b.buf, p...)
	if !b.running {
		b.running = true
		go b.drain()
	}
	b.mu.Unlock()
	return len(p), nil
}

func (b *batchWriter) drain() {
	// Let the goroutines that are ready run first: under load they add
	// their lines to this batch; on a quiet process this returns at once.
	runtime.Gosched()
	b.mu.Lock()
	for len(b.buf) > 0 {
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
		if len(b.buf) < b.max/2 {
			b.mu.Unlock()
			runtime.Gosched()
			b.mu.Lock()
		}
	}
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
