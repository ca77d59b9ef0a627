package app

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

// TestWriteStallTimeoutKeepsSlowDownloads: a client that reads slowly but
// steadily gets the whole body even though the download takes several
// times the stall timeout.
func TestWriteStallTimeoutKeepsSlowDownloads(t *testing.T) {
	handlers, body := stallHandlers(t, 8<<20)
	want := sha256.Sum256(body)
	const stall = time.Second
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(withWriteStallTimeout(h, stall))
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

// TestWriteStallTimeoutDropsStalledClients: a client that stops reading
// makes the server's write fail instead of blocking forever.
func TestWriteStallTimeoutDropsStalledClients(t *testing.T) {
	handlers, _ := stallHandlers(t, stalledBody)
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			finished := make(chan struct{})
			wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer close(finished)
				h.ServeHTTP(w, r)
			})
			srv := httptest.NewServer(withWriteStallTimeout(wrapped, 300*time.Millisecond))
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

func TestStallWriterKeepsWriterFeatures(t *testing.T) {
	var sw http.ResponseWriter = &stallWriter{}
	if _, ok := sw.(http.Flusher); !ok {
		t.Error("Flusher lost: streamed zips could not flush")
	}
	if _, ok := sw.(io.ReaderFrom); !ok {
		t.Error("ReaderFrom lost: files would not use sendfile")
	}
	if _, ok := sw.(interface{ Unwrap() http.ResponseWriter }); !ok {
		t.Error("Unwrap lost: http.ResponseController could not reach the connection")
	}

	// Range requests go through ServeContent's LimitedReader unwrapping.
	handlers, body := stallHandlers(t, 4<<20)
	srv := httptest.NewServer(withWriteStallTimeout(handlers["servecontent"], time.Minute))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Range", "bytes=1000-3000999")
	resp, err := http.DefaultClient.Do(req)
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
}
