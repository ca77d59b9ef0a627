// Package respwriter is the registry's one response-writer wrapper: it
// records what an answer sent (status, body bytes, whether the header is
// out) for the access log, APM and panic recovery, and optionally keeps a
// write deadline moving with the answer (the write-stall timeout).
//
// The wrapping itself is github.com/felixge/httpsnoop's: the wrapped writer
// has exactly the optional interfaces of the writer it wraps, so Flush
// (streamed zips), ReadFrom (sendfile for files) and Unwrap
// (http.ResponseController) keep working.
package respwriter

import (
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/felixge/httpsnoop"
)

// chunk is the most data written under one deadline, so a client is dropped
// only when it reads less than 128 KiB in 3/4 of the stall timeout (about
// 3 KiB/s for a minute; see Response.extend).
const chunk = 128 << 10

// Response is what the wrapper saw of one answer. It belongs to one
// request: the handler writes through the writer Wrap returned, the
// middleware reads the Response once the handler returned, then calls
// Done.
type Response struct {
	answer

	// hooks and the functions they return are built once per pooled
	// Response: httpsnoop calls every hook on each Wrap, and closures made
	// per request would be several allocations per answer.
	hooks       httpsnoop.Hooks
	writeHeader httpsnoop.WriteHeaderFunc
	write       httpsnoop.WriteFunc
	flush       httpsnoop.FlushFunc
	flushError  httpsnoop.FlushErrorFunc
	readFrom    httpsnoop.ReadFromFunc
}

// answer is the part of a Response that belongs to one request.
type answer struct {
	status  int
	bytes   int64
	started bool // the header was written (explicitly or by a body write)

	stall   time.Duration           // 0: no write deadline
	rc      http.ResponseController // of the wrapped writer, for deadlines
	renewed time.Time               // when the deadline was last set

	// The wrapped writer's methods, as httpsnoop hands them to the hooks.
	nextWriteHeader httpsnoop.WriteHeaderFunc
	nextWrite       httpsnoop.WriteFunc
	nextFlush       httpsnoop.FlushFunc
	nextFlushError  httpsnoop.FlushErrorFunc
	nextReadFrom    httpsnoop.ReadFromFunc
}

// pool recycles Responses with their prebuilt hooks (see Response.hooks).
var pool = sync.Pool{New: func() any { return newResponse() }}

func newResponse() *Response {
	r := &Response{}
	r.writeHeader, r.write, r.flush, r.flushError, r.readFrom = r.doWriteHeader, r.doWrite, r.doFlush, r.doFlushError, r.doReadFrom
	r.hooks = httpsnoop.Hooks{
		WriteHeader: hook(&r.nextWriteHeader, r.writeHeader),
		Write:       hook(&r.nextWrite, r.write),
		Flush:       hook(&r.nextFlush, r.flush),
		FlushError:  hook(&r.nextFlushError, r.flushError),
		ReadFrom:    hook(&r.nextReadFrom, r.readFrom),
	}
	return r
}

// hook is an httpsnoop hook that keeps the wrapped writer's method in
// *next and returns the Response's own, fn, which calls it.
func hook[F any](next *F, fn F) func(F) F {
	return func(method F) F {
		*next = method
		return fn
	}
}

// Wrap returns w wrapped, and the Response that records it. stall > 0
// gives every chunk of the answer a fresh write deadline of stall: an
// answer that keeps moving can take as long as it needs, one whose client
// stops reading for stall fails its write and the connection is closed.
// (http.Server's WriteTimeout would be an absolute deadline, which a large
// zip over a slow link can always exceed.)
func Wrap(w http.ResponseWriter, stall time.Duration) (http.ResponseWriter, *Response) {
	r := pool.Get().(*Response)
	r.stall = stall
	if stall > 0 {
		r.rc = *http.NewResponseController(w) // by value: no allocation
	}
	return httpsnoop.Wrap(w, r.hooks), r
}

// Status is the status of the answer: 200 when nothing was written (what
// net/http sends then).
func (r *Response) Status() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// Bytes is the number of body bytes written.
func (r *Response) Bytes() int64 { return r.bytes }

// Started tells whether the header was written: from then on an error
// can no longer replace the answer.
func (r *Response) Started() bool { return r.started }

// Done ends the wrapping once the handler returned. net/http flushes what
// is buffered after the handler; that write needs a live deadline too,
// however long the handler took since its last write. r must not be used
// afterwards (it is recycled).
func (r *Response) Done() {
	if r.stall > 0 {
		r.extend()
	}
	r.answer = answer{} // nothing of this request kept alive in the pool
	pool.Put(r)
}

// extend renews the deadline, unless it was renewed less than stall/4
// ago: every chunk still gets at least 3/4 of stall, and a small answer
// (one header, one body write, the flush after the handler) costs one
// timer update instead of three.
func (r *Response) extend() {
	now := time.Now()
	if !r.renewed.IsZero() && now.Sub(r.renewed) < r.stall/4 {
		return
	}
	r.renewed = now
	// Fails only for writers without deadline support (httptest
	// recorders), where there is nothing to protect.
	_ = r.rc.SetWriteDeadline(now.Add(r.stall))
}

func (r *Response) doWriteHeader(code int) {
	if r.stall > 0 {
		r.extend()
	}
	// 1xx answers are interim: the final status is still to come.
	if !r.started && code >= 200 {
		r.status = code
		r.started = true
	}
	r.nextWriteHeader(code)
}

// start writes the implicit 200 header before the first body byte, so
// that the recorded status is the one sent.
func (r *Response) start() {
	if !r.started {
		r.doWriteHeader(http.StatusOK)
	}
}

func (r *Response) doWrite(p []byte) (int, error) {
	r.start()
	if r.stall <= 0 {
		n, err := r.nextWrite(p)
		r.bytes += int64(n)
		return n, err
	}
	written := 0
	for len(p) > 0 {
		n := min(len(p), chunk)
		r.extend()
		m, err := r.nextWrite(p[:n])
		written += m
		r.bytes += int64(m)
		if err != nil {
			return written, err
		}
		p = p[n:]
	}
	return written, nil
}

// doReadFrom copies src in chunks, each under a fresh deadline. A source
// that is an *io.LimitedReader (http.ServeContent's) is unwrapped so that
// each chunk is a single LimitedReader over the file, the shape the
// kernel's sendfile path accepts.
func (r *Response) doReadFrom(src io.Reader) (int64, error) {
	r.start()
	if r.stall <= 0 {
		n, err := r.nextReadFrom(src)
		r.bytes += n
		return n, err
	}
	limited, _ := src.(*io.LimitedReader)
	inner := src
	if limited != nil {
		inner = limited.R
	}
	var total int64
	for {
		n := int64(chunk)
		if limited != nil {
			if limited.N <= 0 {
				return total, nil
			}
			n = min(n, limited.N)
		}
		r.extend()
		m, err := r.nextReadFrom(&io.LimitedReader{R: inner, N: n})
		total += m
		r.bytes += m
		if limited != nil {
			limited.N -= m
		}
		if err != nil || m < n {
			return total, err
		}
	}
}

// doFlush and doFlushError send the header (a flushed answer has
// started) under a live deadline.
func (r *Response) doFlush() {
	r.start()
	if r.stall > 0 {
		r.extend()
	}
	r.nextFlush()
}

func (r *Response) doFlushError() error {
	r.start()
	if r.stall > 0 {
		r.extend()
	}
	return r.nextFlushError()
}
