package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
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
