// Package apmlite is the registry's Elastic APM instrumentation
// (docs/operations.md, "APM"), written against the APM Server intake v2
// protocol with the standard library only.
//
// Upstream EPR uses the Elastic APM Go agent (go.elastic.co/apm/v2 with its
// gorilla, http and zap modules). Those modules cannot be fetched for this
// build, so this package implements the part of the agent the registry
// relies on: transactions for routed requests and background work, exit
// spans for outgoing proxy-mode requests with W3C trace-context
// propagation, errors for panics and for error-level log entries, trace ids
// in log lines, and a bounded background sender that POSTs ndjson batches
// to <ELASTIC_APM_SERVER_URL>/intake/v2/events.
//
// A nil *Tracer is the "APM off" state: every method and helper accepts it
// and does nothing, and Middleware returns nil so that no wrapper is
// installed at all. Callers never need to test for nil.
package apmlite
