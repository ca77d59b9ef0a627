package app

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHardenServer(t *testing.T) {
	srv := &http.Server{Handler: http.NotFoundHandler()}
	hardenServer(srv)
	if srv.ReadHeaderTimeout != readHeaderTimeout || srv.ReadTimeout != readTimeout || srv.IdleTimeout != idleTimeout {
		t.Errorf("timeouts: header %v, read %v, idle %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout)
	}
	if srv.WriteTimeout != 0 {
		t.Errorf("WriteTimeout %v: an absolute write deadline cuts long downloads", srv.WriteTimeout)
	}
}

// TestTricklingHeadersAreCut: a client sending one header byte at a time
// is disconnected once the header deadline passes, however steadily it
// sends. The deadline is shortened here; TestHardenServer checks the real
// value.
func TestTricklingHeadersAreCut(t *testing.T) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})}
	hardenServer(srv)
	srv.ReadHeaderTimeout = 300 * time.Millisecond
	ts := httptest.NewUnstartedServer(srv.Handler)
	ts.Config = srv
	ts.Start()
	defer ts.Close()

	c, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Trickle: ")
	// Keep sending one byte every 20 ms for up to 30 s; the server must
	// close the connection long before.
	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, bufio.NewReader(c))
		close(closed)
	}()
	stop := time.After(30 * time.Second)
	for {
		select {
		case <-closed:
			return
		case <-stop:
			t.Fatal("a client trickling its headers kept its connection for 30 s")
		case <-time.After(20 * time.Millisecond):
			if _, err := io.WriteString(c, "a"); err != nil && !strings.Contains(err.Error(), "broken pipe") {
				// A reset also means the server gave up on it.
				return
			}
		}
	}
}
