package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is a server started by the load test.
type process struct {
	cmd    *exec.Cmd
	addr   string // host:port
	log    *logSink
	exited chan struct{} // closed once the process is gone
	once   sync.Once
}

// logSink receives a server's output through a pipe and writes it to a
// file in large blocks, the way a container runtime or journald collects a
// service's output. Unbuffered writes to a file on the same disk would
// cost the server a file-system write per access-log line.
type logSink struct {
	mu   sync.Mutex
	file *os.File
	buf  *bufio.Writer
}

func newLogSink(path string) (*logSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &logSink{file: f, buf: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logSink) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.buf.Flush()
	return l.file.Close()
}

// watch starts the one goroutine that waits for the process.
func (p *process) watch() *process {
	p.exited = make(chan struct{})
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	return p
}

// freeAddr returns a free loopback address.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startRegistry starts the registry binary and waits for the first 200 on
// /health; it returns the time from the start of the process to that
// answer.
func startRegistry(ctx context.Context, bin, config, logPath string, timeout time.Duration, extra ...string) (*process, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	logFile, err := newLogSink(logPath)
	if err != nil {
		return nil, 0, err
	}
	args := append([]string{"-config", config, "-address", addr}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	start := time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, 0, err
	}
	p := (&process{cmd: cmd, addr: addr, log: logFile}).watch()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get("http://" + addr + "/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, time.Since(start), nil
			}
		}
		select {
		case <-p.exited:
			logFile.Close()
			return nil, 0, fmt.Errorf("%s exited during start-up (%v); see %s", bin, cmd.ProcessState, logPath)
		case <-ctx.Done():
			p.stop()
			return nil, 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, 0, fmt.Errorf("%s did not answer /health within %v; see %s", bin, timeout, logPath)
		}
	}
}

// startLimit starts the limit server on the recorded responses.
func startLimit(bin, dir, logPath string) (*process, error) {
	logFile, err := newLogSink(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-address", "127.0.0.1:0", "-responses", dir)
	cmd.Stderr = logFile
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := (&process{cmd: cmd, log: logFile}).watch()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		p.stop()
		return nil, fmt.Errorf("limit server did not start; see %s", logPath)
	}
	p.addr = strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	return p, nil
}

// stop ends the process (SIGTERM, then SIGKILL after 10 s); later calls
// do nothing.
func (p *process) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	p.once.Do(p.terminate)
}

func (p *process) terminate() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	if p.log != nil {
		p.log.Close()
	}
}

// cpuTime is the user and system time the process used so far.
func (p *process) cpuTime() (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may
	// contain spaces: utime and stime are the 12th and 13th.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	// Linux reports clock ticks of 1/100 s (USER_HZ).
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// memory returns the resident size and its peak (VmRSS, VmHWM), in KiB.
func (p *process) memory() (rss, peak int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			peak = n
		}
	}
	return rss, peak, nil
}

// resetPeak starts a new VmHWM measurement (Linux clear_refs).
func (p *process) resetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0)
}

// writeConfig writes a registry configuration over the package paths.
func writeConfig(dir string, paths ...string) (string, error) {
	var b strings.Builder
	b.WriteString("package_paths:\n")
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "  - %q\n", abs)
	}
	name := filepath.Join(dir, fmt.Sprintf("config-%d.yml", len(paths)))
	return name, os.WriteFile(name, []byte(b.String()), 0o644)
}
