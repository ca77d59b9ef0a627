package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// stats counts answers and failures per request kind.
type stats struct {
	mu        sync.Mutex
	requests  map[string]int
	latencies []time.Duration
	failures  map[string]int      // "socket", "status", "consistency"
	byKind    map[string]int      // kind/failure class -> count
	examples  map[string][]string // failure class -> first few messages
}

func newStats() *stats {
	return &stats{requests: map[string]int{}, failures: map[string]int{}, byKind: map[string]int{}, examples: map[string][]string{}}
}

func (s *stats) done(kind string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[kind]++
	s.latencies = append(s.latencies, d)
}

func (s *stats) fail(kind, class, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[class]++
	s.byKind[kind+" / "+class]++
	if len(s.examples[class]) < 5 {
		s.examples[class] = append(s.examples[class], kind+": "+msg)
	}
}

// memory holds resident-set samples of the registry process.
type memory struct {
	mu      sync.Mutex
	samples []rssSample
}

type rssSample struct {
	when string
	kib  int
	err  error
}

func (m *memory) sample(when string, pid int) {
	kib, err := rssKiB(pid)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.samples = append(m.samples, rssSample{when: when, kib: kib, err: err})
}

func (m *memory) get(when string) (int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.samples {
		if s.when == when && s.err == nil {
			return s.kib, true
		}
	}
	return 0, false
}

// rssKiB reads VmRSS from /proc (Linux only).
func rssKiB(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

type reportData struct {
	opts          options
	elapsed       time.Duration
	stats         *stats
	mem           *memory
	changes       int
	updates       int
	failedUpdates int
	watchFailures int
	generations   map[string]int
	exited        bool
}

// report prints the results and tells whether the target was met.
func report(w io.Writer, d reportData) bool {
	s := d.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	total := 0
	kindNames := make([]string, 0, len(s.requests))
	for k, n := range s.requests {
		total += n
		kindNames = append(kindNames, k)
	}
	slices.Sort(kindNames)
	slices.Sort(s.latencies)
	pct := func(p float64) time.Duration {
		if len(s.latencies) == 0 {
			return 0
		}
		return s.latencies[int(p*float64(len(s.latencies)-1))].Round(100 * time.Microsecond)
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "load-and-reload: %d connections, %s, package folder changed every %s\n", d.opts.conns, d.elapsed.Round(time.Second), d.opts.changeEvery)
	fmt.Fprintf(&b, "requests            %d (%.0f/s); latency p50 %s, p99 %s, max %s\n", total, float64(total)/d.elapsed.Seconds(), pct(0.5), pct(0.99), pct(1))
	for _, k := range kindNames {
		fmt.Fprintf(&b, "  %-26s %d\n", k, s.requests[k])
	}
	fmt.Fprintf(&b, "socket errors       %d\n", s.failures["socket"])
	fmt.Fprintf(&b, "unexpected status   %d\n", s.failures["status"])
	fmt.Fprintf(&b, "inconsistent answer %d\n", s.failures["consistency"])
	for class, list := range s.examples {
		for _, e := range list {
			fmt.Fprintf(&b, "  %s: %s\n", class, e)
		}
	}
	fmt.Fprintf(&b, "folder changes      %d; index updates logged %d, failed %d; distinct states seen %v\n",
		d.changes, d.updates, d.failedUpdates, d.generations)
	start, _ := d.mem.get("start")
	middle, okMiddle := d.mem.get("middle")
	end, okEnd := d.mem.get("end")
	fmt.Fprintf(&b, "resident memory     start %.1f MiB, middle %.1f MiB, end %.1f MiB\n",
		float64(start)/1024, float64(middle)/1024, float64(end)/1024)

	met := total > 0 && !d.exited && s.failures["socket"] == 0 && s.failures["status"] == 0 && s.failures["consistency"] == 0
	if d.exited {
		fmt.Fprintln(&b, "the registry exited during the run")
	}
	flat := okMiddle && okEnd && float64(end) <= 1.25*float64(middle)
	if !flat {
		fmt.Fprintln(&b, "memory is not flat after warm-up (end more than 25% above middle)")
		met = false
	}
	if d.watchFailures > 0 {
		fmt.Fprintf(&b, "the registry logged \"failed to watch path\" %d times (inotify watch limit reached?)\n", d.watchFailures)
	}
	if d.updates == 0 {
		fmt.Fprintln(&b, "the index never reloaded: the watcher did not follow the changes")
		met = false
	}
	if met {
		fmt.Fprintln(&b, "target met: 0 errors, 0 unexpected non-2xx, consistent answers, memory flat")
	} else {
		fmt.Fprintln(&b, "target MISSED")
	}
	w.Write(b.Bytes())
	return met
}
