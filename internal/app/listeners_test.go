package app

import (
	"bufio"
	"context"
	"errors"
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

// A bind error is a start-up error named after its listener.
func TestListenerBindErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	ls := newListeners(nil)
	defer ls.close()
	for _, tt := range []struct {
		start func() error
		want  string
	}{
		{func() error { return ls.startMain(addr, http.NotFoundHandler(), nil) }, "error occurred while serving"},
		{func() error { return ls.startMetrics(addr, http.NotFoundHandler()) }, "failed to start Prometheus metrics endpoint"},
		{func() error { return ls.startProfiler(addr) }, "failed to start HTTP profiler"},
	} {
		var se *StartupError
		if err := tt.start(); !errors.As(err, &se) || se.Message != tt.want || se.Err == nil {
			t.Errorf("got %v, want a %q start-up error", err, tt.want)
		}
	}
	if ls.main != nil || len(ls.others) != 0 {
		t.Error("a server that did not bind was kept")
	}
}

// shutdown waits for the main server's requests, but a request on another
// listener (a long profile) is cut when the main server is done.
func TestShutdownDoesNotWaitForOtherListeners(t *testing.T) {
	ls := newListeners(nil)
	defer ls.close()
	if err := ls.startMain("127.0.0.1:0", http.NotFoundHandler(), nil); err != nil {
		t.Fatal(err)
	}
	entered := make(chan struct{})
	other := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-r.Context().Done()
	})}
	if err := ls.start("127.0.0.1:0", other, nil, "other"); err != nil {
		t.Fatal(err)
	}
	ls.others = append(ls.others, other)
	mainAddr, otherAddr := ls.main.Addr, other.Addr
	if other.ReadHeaderTimeout != readHeaderTimeout || ls.main.ReadHeaderTimeout != readHeaderTimeout {
		t.Error("a listener without the header timeout")
	}
	requestDone := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + otherAddr + "/")
		if err == nil {
			resp.Body.Close()
		}
		requestDone <- err
	}()
	<-entered

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	if err := ls.shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v waiting for the other listener", d)
	}
	if err := <-requestDone; err == nil {
		t.Error("the hanging request on the other listener got an answer")
	}
	for _, addr := range []string{mainAddr, otherAddr} {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections", addr)
		}
	}
}
