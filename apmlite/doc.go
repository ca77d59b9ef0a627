// Package apmlite is the registry's Elastic APM instrumentation
// (docs/operations.md, "APM"), written against the APM Server intake v2
// protocol with the standard library only.
//
// Why it exists: upstream EPR uses the Elastic APM Go agent
// (go.elastic.co/apm/v2 with its gorilla, http and zap modules) and, for its
// ECS log lines, go.elastic.co/ecszap. None of the go.elastic.co modules
// can be fetched in this project's build environment, so the registry
// carries the parts it needs itself: this package speaks intake v2 to the
// APM Server, and package logging has its own ECS encoder for the same
// reason. Should those modules become available, both are candidates for
// replacement; this is the one place that says so.
//
// What it implements of the agent: transactions for routed requests and
// background work, exit spans for outgoing proxy-mode requests with W3C
// trace-context propagation, errors for panics and for error-level log
// entries, trace ids in log lines, and a bounded background sender that
// POSTs ndjson batches to <ELASTIC_APM_SERVER_URL>/intake/v2/events.
// docs/operations.md ("APM") lists the variables it reads.
//
// A nil *Tracer is the "APM off" state: every method and helper accepts it
// and does nothing (StartRequest returns a nil transaction, whose methods
// are no-ops too). Callers never need to test for nil.
package apmlite
