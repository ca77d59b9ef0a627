package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// registry is the running registry process. Its output (access log
// included) goes to a file, not to memory.
type registry struct {
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
}

// startRegistry starts the registry with the watcher on and its profiler
// on pprofAddr (the probe reads goroutines there).
func startRegistry(binary, work, addr, pprofAddr, logLevel string, paths []string) (*registry, error) {
	config := "package_paths:\n"
	for _, p := range paths {
		config += "  - " + p + "\n"
	}
	configPath := filepath.Join(work, "config.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, "-config", configPath, "-address", addr,
		"-package-paths-enable-watcher", "-require-package-signatures=false", "-log-level", logLevel,
		"-httpprof", pprofAddr)
	logFile, err := os.Create(filepath.Join(work, "registry.log"))
	if err != nil {
		return nil, err
	}
	r := &registry{cmd: cmd, logPath: logFile.Name(), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	go func() { cmd.Wait(); logFile.Close(); close(r.done) }()
	// Its own client, closed after the wait: the health checks must leave
	// no connection open when the start counts are taken.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := client.Get("http://" + addr + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return r, nil
			}
		}
		if r.exited() {
			return nil, fmt.Errorf("registry exited at start-up:\n%s", r.logTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.stop()
	return nil, fmt.Errorf("registry did not answer /health within 60 s:\n%s", r.logTail())
}

func (r *registry) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// stop ends the registry this program started: SIGINT for a graceful
// shutdown, then a kill if it is still there after 10 s.
func (r *registry) stop() {
	if r.exited() {
		return
	}
	r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
}

func (r *registry) logText() string {
	b, _ := os.ReadFile(r.logPath)
	return string(b)
}

func (r *registry) logTail() string {
	s := r.logText()
	if len(s) > 4000 {
		s = "…" + s[len(s)-4000:]
	}
	return s
}
