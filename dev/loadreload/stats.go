package main

import (
	"sync"
	"time"
)

// stats counts answers and failures per request kind.
type stats struct {
	mu        sync.Mutex
	requests  map[string]int
	latencies []time.Duration
	slowest   map[string]time.Duration // per kind
	failures  map[string]int           // "socket", "timeout", "5xx", "status", "consistency"
	byKind    map[string]int           // kind/failure class -> count
	examples  map[string][]string      // failure class -> first few messages
}

func newStats() *stats {
	return &stats{requests: map[string]int{}, slowest: map[string]time.Duration{}, failures: map[string]int{}, byKind: map[string]int{}, examples: map[string][]string{}}
}

func (s *stats) done(kind string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[kind]++
	s.latencies = append(s.latencies, d)
	s.slowest[kind] = max(s.slowest[kind], d)
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
