package app

import (
	"io"
	"net/http"
	"time"
)

// writeStallTimeout closes a connection whose client has not accepted any
// response data for this long. It is a timeout on progress, not on the
// whole response: http.Server's WriteTimeout would be an absolute deadline,
// which a large zip over a slow link can always exceed.
const writeStallTimeout = time.Minute

// writeChunk is the most data written under one deadline, so a client is
// dropped only when it reads less than 128 KiB in 3/4 of writeStallTimeout
// (about 3 KiB/s; see stallWriter.extend).
const writeChunk = 128 << 10

// withWriteStallTimeout gives every write of a response a fresh deadline of
// d: a response that keeps moving can take as long as it needs, one that
// stops moving for d fails its write and the connection is closed.
func withWriteStallTimeout(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &stallWriter{ResponseWriter: w, rc: *http.NewResponseController(w), d: d}
		next.ServeHTTP(sw, r)
		// net/http flushes what is buffered after the handler returns;
		// that write needs a live deadline too, however long the handler
		// took since its last write.
		sw.extend()
	})
}

// stallWriter renews the connection's write deadline before each chunk it
// writes. It keeps the writer's optional interfaces that the handlers use:
// Flush (streamed zips), ReadFrom (sendfile for files) and Unwrap
// (http.ResponseController).
type stallWriter struct {
	http.ResponseWriter
	rc  http.ResponseController // by value: one allocation less per request
	d   time.Duration
	set time.Time // when the deadline was last renewed
}

// extend renews the deadline, unless it was renewed less than d/4 ago:
// every chunk still gets at least 3/4 of d, and a small answer (one
// header, one body write, the flush after the handler) costs one timer
// update instead of three.
func (s *stallWriter) extend() {
	now := time.Now()
	if !s.set.IsZero() && now.Sub(s.set) < s.d/4 {
		return
	}
	s.set = now
	// Fails only for writers without deadline support (httptest
	// recorders), where there is nothing to protect.
	_ = s.rc.SetWriteDeadline(now.Add(s.d))
}

func (s *stallWriter) WriteHeader(code int) {
	s.extend()
	s.ResponseWriter.WriteHeader(code)
}

func (s *stallWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n := min(len(p), writeChunk)
		s.extend()
		m, err := s.ResponseWriter.Write(p[:n])
		written += m
		if err != nil {
			return written, err
		}
		p = p[n:]
	}
	return written, nil
}

// ReadFrom copies src in chunks, each under a fresh deadline. A source
// that is an *io.LimitedReader (http.ServeContent's) is unwrapped so each
// chunk is a single LimitedReader over the file, the shape the kernel's
// sendfile path accepts.
func (s *stallWriter) ReadFrom(src io.Reader) (int64, error) {
	limited, _ := src.(*io.LimitedReader)
	inner := src
	if limited != nil {
		inner = limited.R
	}
	var total int64
	for {
		n := int64(writeChunk)
		if limited != nil {
			if limited.N <= 0 {
				return total, nil
			}
			n = min(n, limited.N)
		}
		s.extend()
		m, err := io.Copy(s.ResponseWriter, &io.LimitedReader{R: inner, N: n})
		total += m
		if limited != nil {
			limited.N -= m
		}
		if err != nil || m < n {
			return total, err
		}
	}
}

func (s *stallWriter) Flush() {
	s.extend()
	_ = s.rc.Flush()
}

func (s *stallWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
