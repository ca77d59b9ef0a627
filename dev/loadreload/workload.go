package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// searchItem is what the checks read from /search answers.
type searchItem struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Description string `json:"description"`
	Path        string `json:"path"`
	Download    string `json:"download"`
	Icons       []struct {
		Path string `json:"path"`
	} `json:"icons"`
}

// plan is what the workload asks for: the stable packages found at start
// (they never change) and the churn tracker.
type plan struct {
	base        string
	stable      []searchItem
	stableNames []string
	stableSet   map[string]bool // name@version
	churn       *churnTracker
	// URL paths of the FIFO and the deep file planted in the corpus.
	fifoFile, deepFile string
}

var churnNames = []string{"churn", "churnzip"}

func newPlan(base string, t *tree) (*plan, error) {
	items, err := getSearch(http.DefaultClient, base+"/search?all=true&prerelease=true")
	if err != nil {
		return nil, err
	}
	p := &plan{base: base, stableSet: map[string]bool{}, churn: newChurnTracker(), fifoFile: t.fifoFile, deepFile: t.deepFile}
	names := map[string]bool{}
	for _, it := range items {
		if slices.Contains(churnNames, it.Name) {
			continue
		}
		p.stable = append(p.stable, it)
		p.stableSet[it.Name+"@"+it.Version] = true
		if !names[it.Name] {
			names[it.Name] = true
			p.stableNames = append(p.stableNames, it.Name)
		}
	}
	if len(p.stable) == 0 {
		return nil, errors.New("no stable packages in the index")
	}
	return p, nil
}

func getSearch(c *http.Client, url string) ([]searchItem, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s: status %d", url, resp.StatusCode)
	}
	var items []searchItem
	return items, json.NewDecoder(resp.Body).Decode(&items)
}

// A request kind: its share of the mix (mostly /search, which Fleet asks
// far more than anything else) and how it picks its target and judges the
// answer.
type kind struct {
	name   string
	weight int
	// target gives the path to ask and the statuses that are expected.
	target func(p *plan, r *rand.Rand) (path string, want []int)
	// check looks at a 2xx body; nil means any body.
	check func(p *plan, path string, body []byte) error
}

const kibanaQuery = "kibana.version=9.2.0&spec.min=2.3&spec.max=3.6"

func pick[T any](r *rand.Rand, list []T) T { return list[r.Intn(len(list))] }

var kinds = []kind{
	{name: "search?package=", weight: 22, target: func(p *plan, r *rand.Rand) (string, []int) {
		return "/search?package=" + pick(r, p.stableNames) + "&prerelease=false&" + kibanaQuery, ok
	}, check: checkJSONList},
	{name: "package index", weight: 17, target: func(p *plan, r *rand.Rand) (string, []int) {
		return pick(r, p.stable).Path + "/", ok
	}, check: checkPackageIndex},
	{name: "churn package index", weight: 2, target: func(p *plan, r *rand.Rand) (string, []int) {
		// The newest generation seen may have been replaced since: 404
		// is an expected answer, a mixed document is not.
		name := pick(r, churnNames)
		return fmt.Sprintf("/package/%s/1.0.%d/", name, p.churn.latest(name)), []int{200, 404}
	}, check: checkChurnIndex},
	{name: "static file", weight: 17, target: func(p *plan, r *rand.Rand) (string, []int) {
		it := pick(r, p.stable)
		switch r.Intn(3) {
		case 0:
			return it.Path + "/docs/README.md", ok
		case 1:
			return it.Path + "/img/overview.png", ok
		}
		return it.Icons[0].Path, ok
	}},
	{name: "search list", weight: 10, target: func(p *plan, r *rand.Rand) (string, []int) {
		return pick(r, []string{"/search?" + kibanaQuery, "/search?prerelease=true&" + kibanaQuery,
			"/search?category=security&" + kibanaQuery, "/search?capabilities=apm,observability&" + kibanaQuery}), ok
	}, check: checkJSONList},
	{name: "search all (consistency)", weight: 4, target: func(p *plan, r *rand.Rand) (string, []int) {
		return "/search?all=true&prerelease=true", ok
	}, check: checkWholeIndex},
	{name: "categories", weight: 5, target: func(p *plan, r *rand.Rand) (string, []int) {
		return pick(r, []string{"/categories?" + kibanaQuery, "/categories?prerelease=true&" + kibanaQuery,
			"/categories?include_policy_templates=true&" + kibanaQuery}), ok
	}, check: checkJSONList},
	{name: "artifact", weight: 11, target: func(p *plan, r *rand.Rand) (string, []int) {
		return pick(r, p.stable).Download, ok
	}, check: func(p *plan, path string, body []byte) error {
		if !strings.HasPrefix(string(body), "PK") {
			return errors.New("not a zip archive")
		}
		return nil
	}},
	{name: "signature", weight: 3, target: func(p *plan, r *rand.Rand) (string, []int) {
		return pick(r, p.stable).Download + ".sig", ok
	}},
	{name: "misc", weight: 9, target: func(p *plan, r *rand.Rand) (string, []int) {
		m := pick(r, []struct {
			path string
			want []int
		}{
			{"/health", ok}, {"/", ok}, {"/index.json", ok}, {"/favicon.ico", ok},
			{"/package/nonexistent/1.0.0/", []int{404}},
			{"/search?kibana.version=not-a-version", []int{400}},
			{pick(r, p.stable).Path, []int{301}},
		})
		return m.path, m.want
	}},
}

var ok = []int{200}

func checkJSONList(p *plan, path string, body []byte) error {
	var v []json.RawMessage
	return json.Unmarshal(body, &v)
}

func checkPackageIndex(p *plan, path string, body []byte) error {
	var doc searchItem
	if err := json.Unmarshal(body, &doc); err != nil {
		return err
	}
	if want := doc.Path + "/"; want != path {
		return fmt.Errorf("document of %s", doc.Path)
	}
	return nil
}

// generation reads "generation <g>" from a churn package's description.
func generation(description string) int {
	_, g, found := strings.Cut(description, "generation ")
	if !found {
		return -1
	}
	n, err := strconv.Atoi(g)
	if err != nil {
		return -1
	}
	return n
}

func versionGeneration(version string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(version, "1.0."))
	if err != nil {
		return -2
	}
	return n
}

func checkChurnIndex(p *plan, path string, body []byte) error {
	var doc searchItem
	if err := json.Unmarshal(body, &doc); err != nil {
		return err
	}
	if g := versionGeneration(doc.Version); generation(doc.Description) != g || !strings.Contains(path, "/1.0."+strconv.Itoa(g)+"/") {
		return fmt.Errorf("%s answered version %s with %q", path, doc.Version, doc.Description)
	}
	return nil
}

// checkWholeIndex is the one-index-version check: every stable version is
// listed exactly once, and each churning package shows a window of
// consecutive generations that existed together on disk (window or
// window+1 of them), each document matching its version.
func checkWholeIndex(p *plan, path string, body []byte) error {
	var items []searchItem
	if err := json.Unmarshal(body, &items); err != nil {
		return err
	}
	stable := 0
	gens := map[string][]int{}
	for _, it := range items {
		if slices.Contains(churnNames, it.Name) {
			g := versionGeneration(it.Version)
			if generation(it.Description) != g {
				return fmt.Errorf("%s %s says %q", it.Name, it.Version, it.Description)
			}
			gens[it.Name] = append(gens[it.Name], g)
			continue
		}
		if !p.stableSet[it.Name+"@"+it.Version] {
			return fmt.Errorf("unknown package %s %s", it.Name, it.Version)
		}
		stable++
	}
	if stable != len(p.stable) {
		return fmt.Errorf("%d stable versions listed, want %d", stable, len(p.stable))
	}
	for _, name := range churnNames {
		g := gens[name]
		slices.Sort(g)
		if len(g) < window || len(g) > window+1 || g[len(g)-1]-g[0] != len(g)-1 {
			return fmt.Errorf("%s generations %v are not a state the folder was in", name, g)
		}
		p.churn.saw(name, g)
	}
	return nil
}

// churnTracker remembers the newest generation of each churning package
// seen in answers, and every distinct window, to show the index moved.
type churnTracker struct {
	mu      sync.Mutex
	newest  map[string]int
	windows map[string]bool
}

func newChurnTracker() *churnTracker {
	return &churnTracker{newest: map[string]int{}, windows: map[string]bool{}}
}

func (c *churnTracker) saw(name string, gens []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.newest[name] = max(c.newest[name], gens[len(gens)-1])
	c.windows[fmt.Sprint(name, gens)] = true
}

func (c *churnTracker) latest(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return max(c.newest[name], window)
}

// seen is the number of distinct index states observed per package.
func (c *churnTracker) seen() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for w := range c.windows {
		name, _, _ := strings.Cut(w, "[")
		out[name]++
	}
	return out
}

// runLoad keeps conns workers busy until ctx ends, each on its own
// keep-alive connection; one request in hostileEvery is hostile. A request
// that takes longer than its timeout is a failure: the registry must answer
// every request. Hostile ones must be answered promptly (hostileTimeout,
// short); the others get longer (timeout), since with hundreds of
// connections on two cores a queue forms and the latency is the queue's.
func runLoad(ctx context.Context, p *plan, conns int, hostileTimeout, timeout time.Duration, st *stats) {
	transport := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     time.Minute,
	}
	// After the run no connection of the load stays open: the registry's
	// descriptors and goroutines are then counted against their start.
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	// Same connections, shorter limit.
	hostileClient := *client
	hostileClient.Timeout = hostileTimeout
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(w) + 1))
			for ctx.Err() == nil {
				if r.Intn(hostileEvery) == 0 {
					oneHostile(&hostileClient, p, hostile(p, r), st)
					continue
				}
				n := r.Intn(total)
				k := kinds[0]
				for _, kk := range kinds {
					if n < kk.weight {
						k = kk
						break
					}
					n -= kk.weight
				}
				one(client, p, k, r, st)
			}
		}()
	}
	wg.Wait()
}

func one(client *http.Client, p *plan, k kind, r *rand.Rand, st *stats) {
	path, want := k.target(p, r)
	req, err := http.NewRequest(http.MethodGet, p.base+path, nil)
	if err != nil {
		st.fail(k.name, "request", err.Error())
		return
	}
	req.Header.Set("User-Agent", "Kibana/9.2.0 node-fetch")
	status, body, ok := send(client, req, k.name, path, want, st)
	if ok && status == 200 && k.check != nil {
		if err := k.check(p, path, body); err != nil {
			st.fail(k.name, "consistency", fmt.Sprintf("%s: %v", path, err))
		}
	}
}

// send does the request, reads the whole answer and counts it; ok is
// false when it failed (socket error, timeout, 5xx, unexpected status).
// A request still running when the run ends is not cut: it finishes or
// times out like any other, so that every request sent is judged.
func send(client *http.Client, req *http.Request, kindName, what string, want []int, st *stats) (int, []byte, bool) {
	start := time.Now()
	resp, err := client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err != nil {
		class := "socket"
		if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
			class = "timeout"
		}
		st.fail(kindName, class, fmt.Sprintf("%.300s: %v", what, err))
		return 0, nil, false
	}
	st.done(kindName, time.Since(start))
	if !slices.Contains(want, resp.StatusCode) {
		class := "status"
		if resp.StatusCode >= 500 {
			class = "5xx"
		}
		st.fail(kindName, class, fmt.Sprintf("%.300s: %d %.200q", what, resp.StatusCode, body))
		return resp.StatusCode, body, false
	}
	return resp.StatusCode, body, true
}
