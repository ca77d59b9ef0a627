package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// probe reads the registry's resources: resident memory and open file
// descriptors from /proc (Linux only), goroutines from its profiler
// (-httpprof on a loopback port).
type probe struct {
	pid   int
	pprof string // base URL of the profiler
	// One connection per probe, closed after it: a kept-alive probe
	// connection would count as an open descriptor and a goroutine.
	client *http.Client
}

func newProbe(pid int, pprofAddr string) *probe {
	return &probe{pid: pid, pprof: "http://" + pprofAddr, client: &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true},
	}}
}

func (p *probe) rss() (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid))
	if err != nil {
		return 0, err
	}
	return rssFromStatus(string(b))
}

func (p *probe) fds() (int, error) {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.pid))
	return len(entries), err
}

// fdKinds counts the open descriptors by what they are ("socket",
// "anon_inode:inotify", a file's folder), to tell what was left open.
func (p *probe) fdKinds() map[string]int {
	dir := fmt.Sprintf("/proc/%d/fd", p.pid)
	entries, _ := os.ReadDir(dir)
	out := map[string]int{}
	for _, e := range entries {
		target, err := os.Readlink(dir + "/" + e.Name())
		if err != nil {
			continue
		}
		// "socket:[123]" counts as "socket", a file as its folder.
		kind, _, _ := strings.Cut(target, ":[")
		if i := strings.LastIndexByte(target, '/'); i > 0 {
			kind = target[:i]
		}
		out[kind]++
	}
	return out
}

// goroutineStacks is the head of the goroutine profile: the most common
// stacks first, to tell what was left running.
func (p *probe) goroutineStacks(lines int) string {
	resp, err := p.client.Get(p.pprof + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	all := strings.Split(string(b), "\n")
	return strings.Join(all[:min(lines, len(all))], "\n")
}

func (p *probe) goroutines() (int, error) {
	resp, err := p.client.Get(p.pprof + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// The first line is all that is needed; the rest is the stacks.
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256))
	if err != nil {
		return 0, err
	}
	return goroutineTotal(string(b))
}

// counts are the two figures that must come back after the run.
type counts struct{ fds, goroutines int }

func (p *probe) counts() (counts, error) {
	fds, err := p.fds()
	if err != nil {
		return counts{}, err
	}
	g, err := p.goroutines()
	return counts{fds: fds, goroutines: g}, err
}

// settle polls the counts until both are within slack of start or the
// time is up, and returns the last ones. Closing connections and ending
// their goroutines takes the server a moment after the clients hang up.
func (p *probe) settle(start counts, slack counts, within time.Duration) (counts, error) {
	deadline := time.Now().Add(within)
	for {
		c, err := p.counts()
		if err == nil && c.fds <= start.fds+slack.fds && c.goroutines <= start.goroutines+slack.goroutines {
			return c, nil
		}
		if time.Now().After(deadline) {
			return c, err
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// sampler records resident memory once a second while the load runs, and
// the peaks of descriptors and goroutines. The two run apart: under load
// the profiler may take longer than a second to answer, and the memory
// samples must stay one a second.
type sampler struct {
	mu    sync.Mutex
	rss   []int // KiB, one per second from the start of the load
	peak  counts
	fails int // samples that could not be read
}

func (s *sampler) run(ctx context.Context, p *probe) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); every(ctx, time.Second, func() { s.memory(p) }) }()
	go func() { defer wg.Done(); every(ctx, time.Second, func() { s.peaks(p) }) }()
	wg.Wait()
}

// every calls f now and then at each tick until ctx ends; ticks missed
// while f runs are dropped.
func every(ctx context.Context, d time.Duration, f func()) {
	tick := time.NewTicker(d)
	defer tick.Stop()
	for {
		f()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *sampler) memory(p *probe) {
	kib, err := p.rss()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		// Keep the position: sample i is second i.
		kib = 0
		s.fails++
	}
	s.rss = append(s.rss, kib)
}

func (s *sampler) peaks(p *probe) {
	c, err := p.counts()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.fails++
		return
	}
	s.peak.fds = max(s.peak.fds, c.fds)
	s.peak.goroutines = max(s.peak.goroutines, c.goroutines)
}

func (s *sampler) result() ([]int, counts, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.rss...), s.peak, s.fails
}
