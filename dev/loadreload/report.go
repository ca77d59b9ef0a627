package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

type reportData struct {
	opts               options
	elapsed            time.Duration
	stats              *stats
	versions, packages int // stable ones, found at start
	rss                []int
	before, peak       counts
	after              counts
	probeFails         int
	changes            int
	logged             logged
	generations        map[string]int
	exited             bool
}

// report prints the details, then the checks as a Markdown table for
// docs/security.md, and tells whether every check passed.
func report(w io.Writer, d reportData) bool {
	s := d.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	total, hostileTotal := 0, 0
	kindNames := make([]string, 0, len(s.requests))
	for k, n := range s.requests {
		total += n
		if strings.HasPrefix(k, "hostile ") {
			hostileTotal += n
		}
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
	fmt.Fprintf(&b, "\nanswers by kind, and the slowest\n")
	for _, k := range kindNames {
		fmt.Fprintf(&b, "  %-26s %8d %10s\n", k, s.requests[k], s.slowest[k].Round(100*time.Microsecond))
	}
	classes := make([]string, 0, len(s.examples))
	for class := range s.examples {
		classes = append(classes, class)
	}
	slices.Sort(classes)
	failedKinds := make([]string, 0, len(s.byKind))
	for k := range s.byKind {
		failedKinds = append(failedKinds, k)
	}
	slices.Sort(failedKinds)
	for _, k := range failedKinds {
		fmt.Fprintf(&b, "failures: %-40s %d\n", k, s.byKind[k])
	}
	for _, class := range classes {
		fmt.Fprintf(&b, "first failures: %s\n", class)
		for _, e := range s.examples[class] {
			fmt.Fprintf(&b, "  %s\n", e)
		}
	}
	if d.logged.watchFailures > 0 {
		fmt.Fprintf(&b, "the registry logged \"failed to watch path\" %d times (inotify watch limit reached?)\n", d.logged.watchFailures)
	}
	if d.logged.firstFailedUpdate != "" {
		fmt.Fprintf(&b, "first failed index update (the previous index stayed in service): %.600s\n", d.logged.firstFailedUpdate)
	}
	if d.probeFails > 0 {
		fmt.Fprintf(&b, "%d probe samples could not be read\n", d.probeFails)
	}

	warm := int(d.opts.warmup / time.Second)
	checks := []check{
		{name: "requests answered",
			figure: fmt.Sprintf("%d in %s (%.0f/s; the last ones in flight took %s more), %d of them hostile; latency p50 %s, p99 %s, max %s",
				total, d.opts.duration, float64(total)/d.opts.duration.Seconds(), max(d.elapsed-d.opts.duration, 0).Round(100*time.Millisecond),
				hostileTotal, pct(0.5), pct(0.99), pct(1)),
			pass: total > 0 && hostileTotal > 0},
		zero("socket errors", s.failures["socket"]),
		zero(fmt.Sprintf("requests over their timeout (hostile %s, others %s)", d.opts.timeout, d.opts.slowTimeout), s.failures["timeout"]),
		zero("5xx answers", s.failures["5xx"]),
		zero("other unexpected statuses", s.failures["status"]+s.failures["request"]),
		zero("answers mixing two index versions", s.failures["consistency"]),
		{name: "index followed the changes",
			figure: fmt.Sprintf("%d changes (a version added and one removed, twice each); %d reloads, %d failed; distinct states seen %v",
				d.changes, d.logged.updates, d.logged.failedUpdates, d.generations),
			// The log counts need -log-level info; the states seen in
			// answers show the index moved at any level.
			pass: d.logged.updates > 0 || movedStates(d.generations)},
		{name: "registry still running", figure: fmt.Sprint(!d.exited), pass: !d.exited},
		judgeMemory(d.rss, warm, d.opts.memTol).check(warm, d.opts.memTol),
		backToStart("open file descriptors", d.before.fds, d.peak.fds, d.after.fds, d.opts.slack.fds),
		backToStart("goroutines", d.before.goroutines, d.peak.goroutines, d.after.goroutines, d.opts.slack.goroutines),
	}

	// The series behind the memory verdict, so that a miss shows whether
	// memory climbs (a leak) or swings (collections, reloads).
	fmt.Fprint(&b, "\nresident memory, MiB, every 5 s of the load:")
	for i := 0; i < len(d.rss); i += 5 {
		fmt.Fprintf(&b, " %.0f", float64(d.rss[i])/1024)
	}
	fmt.Fprintln(&b)
	fmt.Fprintf(&b, "\nLoad, faults and reload: %d stable versions of %d packages (+ 2 churning), %d keep-alive connections for %s, a change every %s, one request in %d hostile\n\n",
		d.versions, d.packages, d.opts.conns, d.opts.duration, d.opts.changeEvery, hostileEvery)
	met := true
	fmt.Fprintln(&b, "| Check | Figure | Result |")
	fmt.Fprintln(&b, "|---|---|---|")
	for _, c := range checks {
		result := "pass"
		if !c.pass {
			result = "FAIL"
			met = false
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", c.name, c.figure, result)
	}
	if met {
		fmt.Fprintln(&b, "\nevery check passed")
	} else {
		fmt.Fprintln(&b, "\ntarget MISSED")
	}
	w.Write(b.Bytes())
	return met
}

func movedStates(generations map[string]int) bool {
	for _, n := range generations {
		if n > 1 {
			return true
		}
	}
	return false
}

func zero(name string, n int) check {
	return check{name: name, figure: fmt.Sprint(n), pass: n == 0}
}
