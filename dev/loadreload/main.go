// Command loadreload is the load-and-reload run of issue 6: it starts the
// registry with the package-path watcher on, sends a Fleet-like mix of
// requests over many concurrent connections for a fixed time while the
// package folder changes every second, and reports requests, socket
// errors, unexpected answers, consistency violations and the registry's
// resident memory at start, middle and end.
//
//	go run ./dev/loadreload                     # 256 connections, 60 s
//	go run ./dev/loadreload -duration 10s -conns 32
//
// Everything happens on 127.0.0.1 in a temporary folder, and the run is
// bounded by -duration. The exit status is 1 when the target is missed:
// any socket error, unexpected status or inconsistent answer, or resident
// memory at the end more than 25% above the middle.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

type options struct {
	duration    time.Duration
	conns       int
	changeEvery time.Duration
	packages    int
	versions    int
	binary      string
	keep        bool
	logLevel    string
}

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long the load runs")
	flag.IntVar(&o.conns, "conns", 256, "concurrent connections")
	flag.DurationVar(&o.changeEvery, "change-every", time.Second, "interval between changes of the package folder")
	flag.IntVar(&o.packages, "packages", 100, "stable directory packages (each with -versions versions)")
	flag.IntVar(&o.versions, "versions", 3, "versions per stable package")
	flag.StringVar(&o.binary, "binary", "", "registry binary (default: go build of the repository root)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary folder (packages, config, registry log)")
	flag.StringVar(&o.logLevel, "log-level", "info", "the registry's -log-level")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("loadreload: ")
	ok, err := run(o)
	if err != nil {
		log.Fatal(err)
	}
	if !ok {
		os.Exit(1)
	}
}

func run(o options) (bool, error) {
	work, err := os.MkdirTemp("", "epr-loadreload-")
	if err != nil {
		return false, err
	}
	if o.keep {
		log.Printf("working folder %s is kept", work)
	} else {
		defer os.RemoveAll(work)
	}
	if o.binary == "" {
		o.binary = filepath.Join(work, "epr")
		log.Printf("building the registry")
		build := exec.Command("go", "build", "-o", o.binary, ".")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return false, fmt.Errorf("building the registry (run from the repository root): %w", err)
		}
	}

	tree, err := newTree(work, o.packages, o.versions)
	if err != nil {
		return false, err
	}
	addr, err := freeAddr()
	if err != nil {
		return false, err
	}
	reg, err := startRegistry(o.binary, work, addr, o.logLevel, tree.paths)
	if err != nil {
		return false, err
	}
	defer reg.stop()

	base := "http://" + addr
	plan, err := newPlan(base, tree)
	if err != nil {
		return false, fmt.Errorf("reading the initial index: %w\n%s", err, reg.logTail())
	}
	log.Printf("registry pid %d on %s: %d stable packages, %d versions; %d connections for %s, a change every %s",
		reg.cmd.Process.Pid, addr, len(plan.stableNames), len(plan.stable), o.conns, o.duration, o.changeEvery)

	ctx, cancel := context.WithTimeout(context.Background(), o.duration)
	defer cancel()
	st := newStats()
	mem := &memory{}
	mem.sample("start", reg.cmd.Process.Pid)

	changes := make(chan int, 1)
	go func() { changes <- tree.changeLoop(ctx, o.changeEvery) }()
	go func() {
		select {
		case <-ctx.Done():
		case <-time.After(o.duration / 2):
			mem.sample("middle", reg.cmd.Process.Pid)
		}
	}()
	start := time.Now()
	runLoad(ctx, plan, o.conns, st)
	elapsed := time.Since(start)
	mem.sample("end", reg.cmd.Process.Pid)
	changed := <-changes

	logText := reg.logText()
	updates := strings.Count(logText, "package filesystem index updated")
	failed := strings.Count(logText, "updating package filesystem index failed")
	// The watch limit is per user: another process can exhaust it.
	watchFailures := strings.Count(logText, "failed to watch path")
	return report(os.Stdout, reportData{
		opts: o, elapsed: elapsed, stats: st, mem: mem,
		changes: changed, updates: updates, failedUpdates: failed, watchFailures: watchFailures,
		generations: plan.churn.seen(), exited: reg.exited(),
	}), nil
}

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

func startRegistry(binary, work, addr, logLevel string, paths []string) (*registry, error) {
	config := "package_paths:\n"
	for _, p := range paths {
		config += "  - " + p + "\n"
	}
	configPath := filepath.Join(work, "config.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, "-config", configPath, "-address", addr,
		"-package-paths-enable-watcher", "-require-package-signatures=false", "-log-level", logLevel)
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
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/health"); err == nil {
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
