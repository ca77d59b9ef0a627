package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSlowClientsDoNotHoldOthersBack opens many connections to the real
// registry that send part of their headers and then stall, and checks that
// ordinary requests are all answered meanwhile: each connection has its own
// goroutine and deadlines, and nothing is shared that a stalled client
// could hold.
func TestSlowClientsDoNotHoldOthersBack(t *testing.T) {
	dir := t.TempDir()
	config := fmt.Sprintf("package_paths:\n  - %s\n", packagesDir(t))
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, stderr, addr := startRegistry(t, dir, cleanEnv(), "-require-package-signatures=false")

	const slow = 200
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range slow {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("slow client %d: %v", i, err)
		}
		conns = append(conns, c)
		// Headers that never end; half of them mid-line.
		partial := "GET /search HTTP/1.1\r\nHost: registry\r\n"
		if i%2 == 0 {
			partial += "X-Slow: aaaa"
		}
		if _, err := io.WriteString(c, partial); err != nil {
			t.Fatal(err)
		}
	}

	client := &http.Client{Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := []string{"/search", "/categories", "/health", "/package/hello/1.0.0/"}[i%4]
			resp, err := client.Get("http://" + addr + target)
			if err != nil {
				errs <- err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				errs <- fmt.Errorf("%s: status %d", target, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("request while %d clients stall: %v", slow, err)
	}
	// The stalled connections are still open: the registry neither
	// crashed nor dropped everything to cope.
	if resp, err := httpGet("http://" + addr + "/health"); err != nil || resp.status != 200 {
		t.Fatalf("health after the test: %v %v\n%s", resp, err, stderr.String())
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
