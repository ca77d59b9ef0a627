package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// report is everything a run measured.
type report struct {
	corpus   string
	versions int
	conns    int
	duration time.Duration

	baseline, startup []time.Duration
	// Resident sizes in KiB: the registry after start and after the load,
	// the eprfull build after start.
	rssStart, rssLoad, rssFull int64
	routes                     []route
	reload                     *reloadResult
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// printReload adds the reload measurement.
func (r *report) printReload(w io.Writer) {
	rl := r.reload
	fmt.Fprintf(w, "\n| reload (watcher) | |\n|---|---|\n")
	fmt.Fprintf(w, "| steady resident size before | %s |\n", r.perVersion(rl.steady))
	fmt.Fprintf(w, "| peak while a version is added, then removed (target ≤ 1.5×) | %s, %.2f× |\n", r.perVersion(rl.peak), float64(rl.peak)/float64(rl.steady))
	fmt.Fprintf(w, "| time until the new version is served, then gone | %.2f s, %.2f s |\n", rl.added.Seconds(), rl.removed.Seconds())
}

// perVersion prints a size in KiB with its share per package version.
func (r *report) perVersion(kib int64) string {
	if kib == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MiB (%.1f KB/version)", float64(kib)/1024, float64(kib)*1.024/float64(max(r.versions, 1)))
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "corpus %s: %d package versions; %d connections, %v per route and server\n\n", r.corpus, r.versions, r.conns, r.duration)
	base, start := median(r.baseline), median(r.startup)
	fmt.Fprintf(w, "| start-up | seconds |\n|---|---|\n")
	fmt.Fprintf(w, "| manifest-read baseline (median of %d) | %.3f |\n", len(r.baseline), base.Seconds())
	fmt.Fprintf(w, "| registry, process start to first 200 (median of %d) | %.3f |\n", len(r.startup), start.Seconds())
	fmt.Fprintf(w, "| ratio (target ≤ 2) | %.2f |\n\n", start.Seconds()/base.Seconds())

	perVersion := r.perVersion
	fmt.Fprintf(w, "| resident memory | |\n|---|---|\n")
	fmt.Fprintf(w, "| after start (target ≤ 10 KB/version) | %s |\n", perVersion(r.rssStart))
	fmt.Fprintf(w, "| after the load | %s |\n", perVersion(r.rssLoad))
	fmt.Fprintf(w, "| eprfull build (complete packages), after start | %s |\n", perVersion(r.rssFull))
	fmt.Fprintln(w)

	fmt.Fprintf(w, "| route | body | registry req/s | p50 | p99 | CPU/req | limit req/s | p50 | p99 | CPU/req | ratio |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, rt := range r.routes {
		g, l := rt.registry, rt.limit
		fmt.Fprintf(w, "| `%s` | %s | %.0f | %s | %s | %s | %.0f | %s | %s | %s | %.2f |\n",
			rt.target, size(g.BodyBytes),
			g.rate(), dur(g.P50), dur(g.P99), dur(g.cpuPerRequest()),
			l.rate(), dur(l.P50), dur(l.P99), dur(l.cpuPerRequest()),
			g.rate()/l.rate())
	}
}

func dur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%dµs", d.Microseconds())
	}
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d B", n)
	}
}

func readAll(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", resp.Request.URL, resp.Status)
	}
	return io.ReadAll(resp.Body)
}
