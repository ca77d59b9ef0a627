package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
)

// check is one line of the summary: what was measured, the figure, and
// whether it met the target.
type check struct {
	name   string
	figure string
	pass   bool
}

// memoryVerdict judges resident memory sampled once a second from the
// start of the load. The sample at index warm (the end of the warm-up:
// caches filled, every route's buffers allocated) is the reference; every
// later sample must stay within tolerance of it, both ways: growth is a
// leak, a large fall means the reference was taken mid-spike.
type memoryVerdict struct {
	base, lo, hi int // KiB: the reference, and the extremes after it
	after        int // samples after the reference
	ok           bool
	why          string // when not ok
}

func judgeMemory(samples []int, warm int, tolerance float64) memoryVerdict {
	if warm < 0 || warm >= len(samples)-1 {
		return memoryVerdict{why: fmt.Sprintf("%d samples: the run is too short for a %d s warm-up", len(samples), warm)}
	}
	v := memoryVerdict{base: samples[warm], lo: samples[warm+1], hi: samples[warm+1], after: len(samples) - warm - 1}
	for _, s := range samples[warm+1:] {
		v.lo, v.hi = min(v.lo, s), max(v.hi, s)
	}
	lowest, highest := float64(v.base)*(1-tolerance), float64(v.base)*(1+tolerance)
	switch {
	case v.base <= 0:
		v.why = "no resident memory at the reference sample"
	case float64(v.hi) > highest:
		v.why = fmt.Sprintf("max is %+.1f%% of the reference", percent(v.hi, v.base))
	case float64(v.lo) < lowest:
		v.why = fmt.Sprintf("min is %+.1f%% of the reference", percent(v.lo, v.base))
	default:
		v.ok = true
	}
	return v
}

func percent(x, base int) float64 { return 100 * float64(x-base) / float64(base) }

func (v memoryVerdict) check(warm int, tolerance float64) check {
	c := check{name: fmt.Sprintf("resident memory flat within %.0f%% after %d s", 100*tolerance, warm), pass: v.ok}
	if v.after == 0 {
		c.figure = v.why
		return c
	}
	c.figure = fmt.Sprintf("at %d s %.1f MiB; then min %.1f MiB (%+.1f%%), max %.1f MiB (%+.1f%%) over %d samples",
		warm, mib(v.base), mib(v.lo), percent(v.lo, v.base), mib(v.hi), percent(v.hi, v.base), v.after)
	if !v.ok {
		c.figure += ": " + v.why
	}
	return c
}

func mib(kib int) float64 { return float64(kib) / 1024 }

// backToStart judges a count that load raises for a while (open file
// descriptors, goroutines): after the run it must come back to within
// slack of its value before the run. Fewer is fine (a connection of the
// start-up probe may have been open at start).
func backToStart(name string, start, peak, end, slack int) check {
	return check{
		name:   fmt.Sprintf("%s back to start (slack %d)", name, slack),
		figure: fmt.Sprintf("before %d, peak during the run %d, after %d", start, peak, end),
		pass:   start >= 0 && end >= 0 && end <= start+slack,
	}
}

// goroutineTotal reads the total of a /debug/pprof/goroutine?debug=1
// answer, whose first line is "goroutine profile: total N".
func goroutineTotal(body string) (int, error) {
	line, _, _ := strings.Cut(body, "\n")
	n, found := strings.CutPrefix(strings.TrimSpace(line), "goroutine profile: total ")
	if !found {
		return 0, fmt.Errorf("not a goroutine profile: %.80q", line)
	}
	return strconv.Atoi(n)
}

// rssFromStatus reads VmRSS (KiB) from the text of /proc/<pid>/status.
func rssFromStatus(status string) (int, error) {
	sc := bufio.NewScanner(strings.NewReader(status))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmRSS line")
}
