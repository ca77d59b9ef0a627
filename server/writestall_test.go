package server

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// stalledBody is larger than what loopback socket buffers absorb, so a
// client that stops reading really blocks the server's writes.
const stalledBody = 48 << 20

// stallHandlers produce the same large body in the two ways handlers
// write: plain Write calls (JSON, streamed zips) and http.ServeContent on a
// file (zip packages, static files), which goes through ReadFrom/sendfile.
func stallHandlers(t *testing.T, size int) (map[string]http.Handler, []byte) {
	t.Helper()
	body := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	path := filepath.Join(t.TempDir(), "big.zip")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]http.Handler{
		"write": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			for p := body; len(p) > 0; p = p[min(len(p), 3<<20):] {
				if _, err := w.Write(p[:min(len(p), 3<<20)]); err != nil {
					return
				}
			}
		}),
		"servecontent": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f, err := os.Open(path)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			http.ServeContent(w, r, "big.zip", time.Time{}, f)
		}),
	}, body
}

// stallWrappers are the two ways the router gives an answer the
// write-stall deadline: alone (path-cleaning redirects) and with the rest
// of the observation (routes and the not-found handler).
func stallWrappers(t *testing.T, d time.Duration) map[string]func(http.Handler) http.Handler {
	t.Helper()
	opts := defaultOptions(listIndexer{})
	opts.WriteStallTimeout = d
	s, err := newServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]func(http.Handler) http.Handler{
		"alone":   func(h http.Handler) http.Handler { return withWriteStallTimeout(h, d) },
		"observe": func(h http.Handler) http.Handler { return s.observe(h, true) },
	}
}

// TestWriteStallTimeoutKeepsSlowDownloads: a client that reads slowly but
// steadily gets the whole body even though the download takes several
// times the stall timeout.
func TestWriteStallTimeoutKeepsSlowDownloads(t *testing.T) {
	handlers, body := stallHandlers(t, 8<<20)
	want := sha256.Sum256(body)
	const stall = time.Second
	for wrapName, wrap := range stallWrappers(t, stall) {
		for name, h := range handlers {
			t.Run(wrapName+"/"+name, func(t *testing.T) {
				srv := httptest.NewServer(wrap(h))
				defer srv.Close()
				resp, err := http.Get(srv.URL)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				start := time.Now()
				hash := sha256.New()
				// About 2.5 MB/s: far above the stall threshold, yet the
				// download lasts several stall timeouts.
				buf := make([]byte, 256<<10)
				for {
					n, err := io.ReadFull(resp.Body, buf)
					hash.Write(buf[:n])
					if err == io.EOF || err == io.ErrUnexpectedEOF && n > 0 {
						break
					}
					if err != nil {
						t.Fatalf("download cut after %v: %v", time.Since(start), err)
					}
					time.Sleep(stall / 10)
				}
				if got := hash.Sum(nil); !bytes.Equal(got, want[:]) {
					t.Fatal("body differs")
				}
				if time.Since(start) < 2*stall {
					t.Logf("download took only %v; the slow path was not exercised", time.Since(start))
				}
			})
		}
	}
}

// TestWriteStallTimeoutDropsStalledClients: a client that stops reading
// makes the server's write fail instead of blocking forever.
func TestWriteStallTimeoutDropsStalledClients(t *testing.T) {
	handlers, _ := stallHandlers(t, stalledBody)
	for wrapName, wrap := range stallWrappers(t, 300*time.Millisecond) {
		for name, h := range handlers {
			t.Run(wrapName+"/"+name, func(t *testing.T) {
				finished := make(chan struct{})
				wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					defer close(finished)
					h.ServeHTTP(w, r)
				})
				srv := httptest.NewServer(wrap(wrapped))
				defer srv.Close()

				conn, err := net.Dial("tcp", srv.Listener.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
					t.Fatal(err)
				}
				// Never read: the handler must still end.
				select {
				case <-finished:
				case <-time.After(30 * time.Second):
					t.Fatal("handler still blocked on a client that does not read")
				}
			})
		}
	}
}

// TestStallWriterKeepsWriterFeatures: the wrapped writer keeps the optional
// interfaces of net/http's: Flush (streamed zips), ReadFrom (sendfile for
// files) and Unwrap (http.ResponseController); and range requests, which
// go through ServeContent's LimitedReader unwrapping, stay exact.
func TestStallWriterKeepsWriterFeatures(t *testing.T) {
	handlers, body := stallHandlers(t, 4<<20)
	for wrapName, wrap := range stallWrappers(t, time.Minute) {
		t.Run(wrapName, func(t *testing.T) {
			features := make(chan string, 3)
			inspect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, ok := w.(http.Flusher); !ok {
					features <- "Flusher lost: streamed zips could not flush"
				}
				if _, ok := w.(io.ReaderFrom); !ok {
					features <- "ReaderFrom lost: files would not use sendfile"
				}
				if _, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok {
					features <- "Unwrap lost: http.ResponseController could not reach the connection"
				}
				close(features)
			})
			srv := httptest.NewServer(wrap(inspect))
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			srv.Close()
			for lost := range features {
				t.Error(lost)
			}

			srv = httptest.NewServer(wrap(handlers["servecontent"]))
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL, nil)
			req.Header.Set("Range", "bytes=1000-3000999")
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, body[1000:3001000]) {
				t.Errorf("range: status %d, %d bytes", resp.StatusCode, len(got))
			}
		})
	}
}

// deadlineRecorder is an httptest recorder that records the write
// deadlines set through http.ResponseController.
type deadlineRecorder struct {
	*httptest.ResponseRecorder
	deadlines []time.Time
}

func (d *deadlineRecorder) SetWriteDeadline(t time.Time) error {
	d.deadlines = append(d.deadlines, t)
	return nil
}

// TestRouterAppliesWriteStallTimeout: every kind of answer the router
// gives gets the deadline, the path-cleaning redirects that no route
// observes included, renewed at most every quarter of the timeout; none
// without the option.
func TestRouterAppliesWriteStallTimeout(t *testing.T) {
	const stall = time.Hour
	targets := []struct {
		target string
		status int
	}{
		{"/search", 200},
		{"/search/", 301},
		{"/nope", 404},
		{"//search", 301},
		{"/package/alpha/1.0.0/manifest.yml", 200},
	}
	for _, timeout := range []time.Duration{stall, 0} {
		opts := defaultOptions(listIndexer{newFixture(t).pkgs})
		opts.WriteStallTimeout = timeout
		h, err := NewRouter(opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range targets {
			w := &deadlineRecorder{ResponseRecorder: httptest.NewRecorder()}
			before := time.Now()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, c.target, nil))
			if w.Code != c.status {
				t.Fatalf("%s: status %d, want %d", c.target, w.Code, c.status)
			}
			switch {
			case timeout == 0 && len(w.deadlines) != 0:
				t.Errorf("%s: deadlines %v without a stall timeout", c.target, w.deadlines)
			case timeout == 0:
			case len(w.deadlines) != 1:
				// A small answer is written well within stall/4.
				t.Errorf("%s: %d deadlines set, want 1", c.target, len(w.deadlines))
			case w.deadlines[0].Before(before.Add(stall)) || w.deadlines[0].After(time.Now().Add(stall)):
				t.Errorf("%s: deadline %v, want about now + %v", c.target, w.deadlines[0], stall)
			}
		}
	}
}
