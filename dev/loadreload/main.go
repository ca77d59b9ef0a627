// Command loadreload is the run "load, faults and reload together": it
// writes a corpus of over 1,000 package versions (directory and zip
// packages) in a temporary folder, starts the registry with the package
// path watcher on, and sends a Fleet-like mix of requests over many
// keep-alive connections for a fixed time, while a package version is
// added and another removed every second and one request in 50 is hostile
// (traversal, garbage Range, bad query, a FIFO in a package's docs/, deep
// and long names). It then checks, each with its figure:
//
//   - no socket error, no request over -timeout, no 5xx, no unexpected
//     status, no answer mixing two index versions;
//   - resident memory (sampled every second) within 20% of its value at
//     the end of the -warmup, both ways;
//   - open file descriptors and goroutines back to their values before
//     the load once the connections are closed.
//
// The summary at the end is a Markdown table for docs/security.md; the
// exit status is 1 when any check fails.
//
//	go run ./dev/loadreload                                  # 256 connections, 60 s
//	go run ./dev/loadreload -duration 10s -conns 32 -packages 40 -warmup 3s
//
// Everything happens on 127.0.0.1 in a temporary folder, and every loop is
// bounded in time.
package main

import (
	"bufio"
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
	timeout     time.Duration // hostile requests
	slowTimeout time.Duration // the others
	warmup      time.Duration
	settle      time.Duration
	memTol      float64
	slack       counts
}

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long the load runs")
	flag.IntVar(&o.conns, "conns", 256, "concurrent keep-alive connections")
	flag.DurationVar(&o.changeEvery, "change-every", time.Second, "interval between changes of the package folder")
	flag.IntVar(&o.packages, "packages", 300, "stable directory packages (each with -versions versions; a fifth as many zip packages of 2 versions)")
	flag.IntVar(&o.versions, "versions", 3, "versions per stable directory package")
	flag.StringVar(&o.binary, "binary", "", "registry binary (default: go build of the repository root)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary folder (packages, config, registry log)")
	flag.StringVar(&o.logLevel, "log-level", "info", "the registry's -log-level")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Second, "longest a hostile request may take; a longer one is a failure")
	flag.DurationVar(&o.slowTimeout, "timeout-others", 15*time.Second, "longest any other request may take (under full load a queue forms); a longer one is a failure")
	flag.DurationVar(&o.warmup, "warmup", 10*time.Second, "resident memory at this time of the load is the reference")
	flag.DurationVar(&o.settle, "settle", 10*time.Second, "longest wait after the load for descriptors and goroutines to come back")
	flag.Float64Var(&o.memTol, "memory-tolerance", 0.20, "largest change of resident memory after the warm-up, as a fraction")
	flag.IntVar(&o.slack.fds, "fd-slack", 1, "open descriptors allowed above the start after the run")
	flag.IntVar(&o.slack.goroutines, "goroutine-slack", 1, "goroutines allowed above the start after the run")
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

	log.Printf("writing the corpus")
	tree, err := newTree(work, o.packages, o.versions)
	if err != nil {
		return false, err
	}
	addrs, err := freeAddrs(2)
	if err != nil {
		return false, err
	}
	addr, pprofAddr := addrs[0], addrs[1]
	reg, err := startRegistry(o.binary, work, addr, pprofAddr, o.logLevel, tree.paths)
	if err != nil {
		return false, err
	}
	defer reg.stop()
	pid := reg.cmd.Process.Pid

	base := "http://" + addr
	plan, err := newPlan(base, tree)
	if err != nil {
		return false, fmt.Errorf("reading the initial index: %w\n%s", err, reg.logTail())
	}
	pr := newProbe(pid, pprofAddr)
	// The counts before the load, once the start-up connections are gone.
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(time.Second)
	before, err := pr.counts()
	if err != nil {
		return false, fmt.Errorf("probing the registry: %w", err)
	}
	fdsBefore := pr.fdKinds()
	log.Printf("registry pid %d on %s: %d stable versions of %d packages; %d connections for %s, a change every %s; %d fds, %d goroutines",
		pid, addr, len(plan.stable), len(plan.stableNames), o.conns, o.duration, o.changeEvery, before.fds, before.goroutines)

	ctx, cancel := context.WithTimeout(context.Background(), o.duration)
	defer cancel()
	st := newStats()
	smp := &sampler{}
	sampled := make(chan struct{})
	go func() { smp.run(ctx, pr); close(sampled) }()
	changes := make(chan int, 1)
	go func() { changes <- tree.changeLoop(ctx, o.changeEvery) }()
	start := time.Now()
	runLoad(ctx, plan, o.conns, o.timeout, o.slowTimeout, st)
	elapsed := time.Since(start)
	changed := <-changes
	<-sampled

	// runLoad closed its connections: wait for the registry to let go.
	after, settleErr := pr.settle(before, o.slack, o.settle)
	if settleErr != nil {
		log.Printf("probing the registry after the run: %v", settleErr)
		after = counts{fds: -1, goroutines: -1}
	}
	// What was left, when something was: to tell which kind leaked.
	if after.fds > before.fds+o.slack.fds || after.goroutines > before.goroutines+o.slack.goroutines {
		fmt.Printf("open descriptors before the load: %v\nafter: %v\ngoroutines after:\n%s\n",
			fdsBefore, pr.fdKinds(), pr.goroutineStacks(60))
	}
	rss, peak, probeFails := smp.result()
	logged, err := scanLog(reg.logPath)
	if err != nil {
		return false, err
	}
	return report(os.Stdout, reportData{
		opts: o, elapsed: elapsed, stats: st,
		versions: len(plan.stable), packages: len(plan.stableNames),
		rss: rss, before: before, peak: peak, after: after, probeFails: probeFails,
		changes: changed, logged: logged,
		generations: plan.churn.seen(), exited: reg.exited(),
	}), nil
}

// logged is what the registry's log says about the reloads.
type logged struct {
	updates int
	// A failed update leaves the previous index in service: counted, not
	// a failure of the run.
	failedUpdates     int
	firstFailedUpdate string
	// The watch limit is per user: another process can exhaust it.
	watchFailures int
}

// scanLog reads the log line by line: with the access log it is hundreds
// of MiB after a full run.
func scanLog(path string) (logged, error) {
	var l logged
	f, err := os.Open(path)
	if err != nil {
		return l, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, "package filesystem index updated"):
			l.updates++
		case strings.Contains(line, "updating package filesystem index failed"):
			l.failedUpdates++
			if l.firstFailedUpdate == "" {
				l.firstFailedUpdate = line
			}
		case strings.Contains(line, "failed to watch path"):
			l.watchFailures++
		}
	}
	return l, sc.Err()
}

// freeAddrs returns n distinct free loopback addresses: the listeners are
// all held until every port is known, so no two are the same.
func freeAddrs(n int) ([]string, error) {
	addrs := make([]string, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs, nil
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
