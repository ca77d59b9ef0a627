// Command load is the load test of docs/performance.md. On one corpus, in
// one run, it:
//
//  1. builds the registry, the same registry built with -tags eprfull
//     (every parsed package kept complete), the limit server and the
//     manifest-read baseline;
//  2. reads the corpus once, untimed (page cache), then times the baseline
//     and the registry's start-up (process start to the first 200 on
//     /health), alternately, -rounds times;
//  3. records the resident memory after start of both builds;
//  4. loads each route for -duration with -conns connections on the
//     registry and on the limit server replaying the registry's recorded
//     answers, the two taking turns in -slices slices, and reports req/s,
//     p50/p99 latency, server CPU per request and the ratio to the limit;
//  5. records the resident memory after the load, and, with -reload, the
//     peak during a reload: a registry with the watcher gets one package
//     version added and removed.
//
// Everything runs on 127.0.0.1 and is bounded in time. Run it from the
// repository root:
//
//	go run ./dev/corpus -out /tmp/corpus -packages 1000 -versions 20
//	go run ./dev/load -corpus /tmp/corpus
//	go run ./dev/load -corpus testdata/local-storage
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/eprgo/package-registry/dev/load/limit/limitapi"
)

type options struct {
	corpus   string
	work     string
	duration time.Duration
	slices   int
	conns    int
	rounds   int
	full     bool
	reload   bool
	workers  int
	timeout  time.Duration
	only     string
	flags    string
}

func main() {
	var o options
	flag.StringVar(&o.corpus, "corpus", "", "package path to serve (a corpus from dev/corpus, or testdata/local-storage)")
	flag.StringVar(&o.work, "work", "", "folder for binaries, logs and recorded answers (default: a temporary one)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "load per route and server")
	flag.IntVar(&o.slices, "slices", 4, "turns the registry and the limit server take per route")
	flag.IntVar(&o.conns, "conns", 8, "concurrent connections")
	flag.IntVar(&o.rounds, "rounds", 1, "start-up measurements (baseline and registry alternately)")
	flag.BoolVar(&o.full, "full", true, "also measure the memory of the eprfull build (one more start-up)")
	flag.BoolVar(&o.reload, "reload", true, "also measure the peak memory of a reload (one more start-up, with the watcher)")
	flag.IntVar(&o.workers, "workers", 0, "-package-paths-workers of the registry (0: its default)")
	flag.DurationVar(&o.timeout, "start-timeout", 15*time.Minute, "longest start-up waited for")
	flag.StringVar(&o.only, "routes", "", "comma-separated route names to load (default: all)")
	flag.StringVar(&o.flags, "registry-flags", "", "extra space-separated flags for every registry started, e.g. -log-level=warn")
	flag.Parse()
	if o.corpus == "" {
		log.Fatal("-corpus is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

// binaries are the programs the run builds.
type binaries struct {
	registry, full, limit, baseline string
}

func build(work string, withFull bool) (binaries, error) {
	b := binaries{
		registry: filepath.Join(work, "epr"),
		full:     filepath.Join(work, "epr-full"),
		limit:    filepath.Join(work, "limit"),
		baseline: filepath.Join(work, "manifestread"),
	}
	steps := [][]string{
		{"build", "-o", b.registry, "."},
		{"build", "-o", b.limit, "./dev/load/limit"},
		{"build", "-o", b.baseline, "./dev/bench/manifestread"},
	}
	if withFull {
		steps = append(steps, []string{"build", "-tags", "eprfull", "-o", b.full, "."})
	}
	for _, args := range steps {
		cmd := exec.Command("go", args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return b, fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
		}
	}
	return b, nil
}

func run(ctx context.Context, o options) error {
	work := o.work
	if work == "" {
		var err error
		if work, err = os.MkdirTemp("", "epr-load-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "building into %s\n", work)
	bins, err := build(work, o.full)
	if err != nil {
		return err
	}
	config, err := writeConfig(work, o.corpus)
	if err != nil {
		return err
	}
	var extra []string
	if o.workers > 0 {
		extra = append(extra, "-package-paths-workers", fmt.Sprint(o.workers))
	}
	extra = append(extra, strings.Fields(o.flags)...)
	rep := &report{corpus: o.corpus, conns: o.conns, duration: o.duration}

	// Start-up, alternating with the baseline; the last registry stays.
	// One untimed baseline first brings the corpus into the page cache, so
	// that no round pays for the disk.
	if _, err := runBaseline(bins.baseline, o.corpus); err != nil {
		return err
	}
	var reg *process
	defer func() { reg.stop() }()
	for round := 0; round < o.rounds; round++ {
		base, err := runBaseline(bins.baseline, o.corpus)
		if err != nil {
			return err
		}
		rep.baseline = append(rep.baseline, base)
		reg.stop()
		var took time.Duration
		reg, took, err = startRegistry(ctx, bins.registry, config, filepath.Join(work, "registry.log"), o.timeout, extra...)
		if err != nil {
			return err
		}
		rep.startup = append(rep.startup, took)
		fmt.Fprintf(os.Stderr, "round %d: baseline %v, registry start-up %v\n", round+1, base.Round(time.Millisecond), took.Round(time.Millisecond))
	}
	if rep.rssStart, _, err = reg.memory(); err != nil {
		return err
	}
	routes, err := discoverRoutes(reg.addr)
	if err != nil {
		return err
	}
	rep.versions = routes.versions
	routes.list = selectRoutes(routes.list, o.only)
	answers := filepath.Join(work, "answers")
	if err := record(reg.addr, routes.list, answers); err != nil {
		return err
	}
	lim, err := startLimit(bins.limit, answers, filepath.Join(work, "limit.log"))
	if err != nil {
		return err
	}
	defer lim.stop()
	// The two servers take turns in short slices, so that a change in the
	// machine's load affects both alike.
	slice := o.duration / time.Duration(o.slices)
	for i := range routes.list {
		r := &routes.list[i]
		fmt.Fprintf(os.Stderr, "loading %s\n", r.target)
		for range o.slices {
			res, err := runLoad(ctx, reg, "http://"+reg.addr+r.target, o.conns, slice)
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			r.registry.add(res)
			if res, err = runLoad(ctx, lim, "http://"+lim.addr+r.target, o.conns, slice); err != nil {
				return fmt.Errorf("%s (limit): %w", r.name, err)
			}
			r.limit.add(res)
		}
	}
	lim.stop()
	if rep.rssLoad, _, err = reg.memory(); err != nil {
		return err
	}
	reg.stop()
	reg = nil
	rep.routes = routes.list

	if o.full {
		full, _, err := startRegistry(ctx, bins.full, config, filepath.Join(work, "registry-full.log"), o.timeout, extra...)
		if err != nil {
			return err
		}
		rep.rssFull, _, err = full.memory()
		full.stop()
		if err != nil {
			return err
		}
	}
	// Printed before the reload, the longest and most fragile step.
	rep.print(os.Stdout)
	if o.reload {
		if rep.reload, err = measureReload(ctx, bins.registry, o, work, extra); err != nil {
			return err
		}
		rep.printReload(os.Stdout)
	}
	return nil
}

// runBaseline runs the manifest-read baseline once.
func runBaseline(bin, corpus string) (time.Duration, error) {
	start := time.Now()
	out, err := exec.Command(bin, corpus).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("baseline: %v: %s", err, out)
	}
	return time.Since(start), nil
}

// route is one request loaded on both servers.
type route struct {
	name, target    string
	registry, limit loadResult
}

type routeSet struct {
	list     []route
	versions int
}

// discoverRoutes picks the requests of the targets, with a
// package of the corpus for the per-package ones (the middle one by name)
// and a Kibana version most packages accept.
func discoverRoutes(addr string) (routeSet, error) {
	var all []struct{ Name, Version string }
	if err := getJSON("http://"+addr+"/search?all=true&prerelease=true", &all); err != nil {
		return routeSet{}, err
	}
	if len(all) == 0 {
		return routeSet{}, fmt.Errorf("the registry serves no packages")
	}
	var newest []struct{ Name, Version string }
	if err := getJSON("http://"+addr+"/search", &newest); err != nil {
		return routeSet{}, err
	}
	if len(newest) == 0 {
		newest = all
	}
	pick := newest[len(newest)/2]
	q := url.QueryEscape
	return routeSet{versions: len(all), list: []route{
		{name: "search", target: "/search"},
		{name: "search-package", target: "/search?package=" + q(pick.Name)},
		{name: "search-prerelease-kibana", target: "/search?prerelease=true&kibana.version=8.15.0"},
		{name: "search-all", target: "/search?all=true"},
		{name: "categories", target: "/categories"},
		{name: "categories-templates", target: "/categories?include_policy_templates=true"},
		{name: "package", target: "/package/" + pick.Name + "/" + pick.Version + "/"},
	}}, nil
}

func selectRoutes(list []route, only string) []route {
	if only == "" {
		return list
	}
	names := strings.Split(only, ",")
	return slices.DeleteFunc(list, func(r route) bool { return !slices.Contains(names, r.name) })
}

func getJSON(u string, v any) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// record saves the registry's answer to every route for the limit server:
// status, the headers the registry chose (not Date and Content-Length,
// which net/http writes for both) and the body.
func record(addr string, routes []route, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var list []limitapi.Response
	for i, r := range routes {
		resp, err := http.Get("http://" + addr + r.target)
		if err != nil {
			return err
		}
		body, err := readAll(resp)
		if err != nil {
			return err
		}
		h := resp.Header.Clone()
		h.Del("Date")
		h.Del("Content-Length")
		name := fmt.Sprintf("body-%d", i)
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			return err
		}
		list = append(list, limitapi.Response{Target: r.target, Status: resp.StatusCode, Header: h, Body: name})
	}
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "responses.json"), data, 0o644)
}
