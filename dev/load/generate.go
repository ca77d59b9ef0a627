package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// loadResult is what one route under load achieved, over one or more
// runs.
type loadResult struct {
	Requests  int
	Errors    int
	Duration  time.Duration
	P50, P99  time.Duration
	CPU       time.Duration // used by the server during the runs
	BodyBytes int
	latencies []time.Duration
}

// add merges another run of the same route.
func (r *loadResult) add(o loadResult) {
	r.Requests += o.Requests
	r.Errors += o.Errors
	r.Duration += o.Duration
	r.CPU += o.CPU
	r.BodyBytes = o.BodyBytes
	r.latencies = append(r.latencies, o.latencies...)
	slices.Sort(r.latencies)
	if n := len(r.latencies); n > 0 {
		r.P50 = r.latencies[n/2]
		r.P99 = r.latencies[min(n-1, n*99/100)]
	}
}

func (r loadResult) rate() float64 { return float64(r.Requests) / r.Duration.Seconds() }

func (r loadResult) cpuPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Requests)
}

// newClient is a keep-alive client for conns concurrent connections to
// one loopback server. Compression is off: the registry does not compress
// and the bodies must be the bytes measured.
func newClient(conns int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			DisableCompression:  true,
		},
		Timeout: time.Minute,
	}
}

// runLoad sends GET url from conns goroutines for d and records every
// latency. srv is the server under test, whose CPU time is measured.
func runLoad(ctx context.Context, srv *process, url string, conns int, d time.Duration) (loadResult, error) {
	client := newClient(conns)
	defer client.CloseIdleConnections()
	// One request first: connections, and any lazily built answer, are
	// not what is measured.
	for range conns {
		if _, err := get(client, url); err != nil {
			return loadResult{}, err
		}
	}
	cpuBefore, err := srv.cpuTime()
	if err != nil {
		return loadResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	res := loadResult{}
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			errs, size := 0, 0
			for ctx.Err() == nil {
				t := time.Now()
				n, err := get(client, url)
				if err != nil {
					if ctx.Err() == nil {
						errs++
					}
					continue
				}
				lat = append(lat, time.Since(t))
				size = n
			}
			mu.Lock()
			all = append(all, lat...)
			res.Errors += errs
			res.BodyBytes = size
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Duration = time.Since(start)
	cpuAfter, err := srv.cpuTime()
	if err != nil {
		return loadResult{}, err
	}
	res.CPU = cpuAfter - cpuBefore
	res.Requests = len(all)
	var out loadResult
	res.latencies = all
	out.add(res)
	return out, nil
}

// get fetches url and returns the body size; anything but 200 is an
// error.
func get(client *http.Client, url string) (int, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return int(n), nil
}
