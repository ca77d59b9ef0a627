package respwriter

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestResponseRecordsWhatWasSent: status, body bytes and whether the
// header went out, for each way a handler writes, on net/http's own
// writer (which has ReadFrom, Flush and FlushError); the same pooled
// Response serves the cases one after the other, so nothing of one answer
// leaks into the next.
func TestResponseRecordsWhatWasSent(t *testing.T) {
	cases := []struct {
		name    string
		handle  func(w http.ResponseWriter)
		status  int
		bytes   int64
		started bool
	}{
		{"nothing written", func(w http.ResponseWriter) {}, 200, 0, false},
		{"header only", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound) }, 404, 0, true},
		{"interim then final", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusCreated)
		}, 201, 0, true},
		{"write", func(w http.ResponseWriter) { _, _ = w.Write([]byte("hello")) }, 200, 5, true},
		{"second status ignored", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusTeapot)
			_, _ = io.WriteString(w, "tea")
		}, 418, 3, true},
		{"read from", func(w http.ResponseWriter) {
			_, _ = w.(io.ReaderFrom).ReadFrom(strings.NewReader(strings.Repeat("x", 3*chunk+7)))
		}, 200, 3*chunk + 7, true},
		{"flush", func(w http.ResponseWriter) { _ = http.NewResponseController(w).Flush() }, 200, 0, true},
	}
	for _, stall := range []time.Duration{0, time.Minute} {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got := make(chan [3]any, 1)
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					ww, rsp := Wrap(w, stall)
					c.handle(ww)
					got <- [3]any{rsp.Status(), rsp.Bytes(), rsp.Started()}
					rsp.Done()
				}))
				defer srv.Close()
				resp, err := http.Get(srv.URL)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want := [3]any{c.status, c.bytes, c.started}
				if g := <-got; g != want {
					t.Errorf("stall %v: recorded %v, want %v", stall, g, want)
				}
				if resp.StatusCode != c.status || int64(len(body)) != c.bytes {
					t.Errorf("stall %v: sent %d with %d bytes, want %d with %d", stall, resp.StatusCode, len(body), c.status, c.bytes)
				}
			})
		}
	}
}
