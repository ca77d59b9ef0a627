package apmlite

import (
	"net"
	"net/http"
	"strconv"
	"strings"
)

// StartRequest starts the transaction of an incoming request, named name,
// and returns r with the transaction in its context. A nil tracer returns
// a nil transaction and r itself.
func (t *Tracer) StartRequest(name string, r *http.Request) (*Transaction, *http.Request) {
	if t == nil {
		return nil, r
	}
	parent, hasParent := incomingTraceParent(r.Header)
	var tracestate string
	if hasParent {
		tracestate = cleanTracestate(r.Header.Values(headerTracestate))
	}
	tx := t.startTransaction(name, TypeRequest, parent, hasParent, tracestate)
	if tx.sampled {
		tx.request = requestInfo(r)
	}
	return tx, r.WithContext(ContextWithTransaction(r.Context(), tx))
}

// EndRequest sets the result from the answer's status and ends tx:
// headersSent tells whether the header went out, panicked whether the
// handler ended in a panic instead of returning. Server-side, only a 5xx
// (or a panic) is a failure: a 404 is a correct answer. Nil-safe.
func (tx *Transaction) EndRequest(status int, headersSent, panicked bool) {
	if tx == nil {
		return
	}
	tx.mu.Lock()
	tx.result = statusResult(status)
	if status >= 500 || panicked {
		tx.outcome = OutcomeFailure
	} else {
		tx.outcome = OutcomeSuccess
	}
	if tx.sampled {
		tx.resp = &responseContext{StatusCode: status, HeadersSent: headersSent, Finished: !panicked}
	}
	tx.mu.Unlock()
	tx.End()
}

// statusResult is the agents' result text: "HTTP 2xx", "HTTP 4xx", ...
func statusResult(status int) string {
	if status < 100 || status > 999 {
		return "HTTP " + strconv.Itoa(status)
	}
	return "HTTP " + strconv.Itoa(status/100) + "xx"
}

// requestInfo is what a sampled transaction reports about its request.
// Only plain strings are kept: the event is encoded later, on the sender
// goroutine.
func requestInfo(r *http.Request) *requestContext {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	hostname, port := r.Host, ""
	if h, p, err := net.SplitHostPort(r.Host); err == nil {
		hostname, port = h, p
	}
	full := scheme + "://" + r.Host + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		full += "?" + r.URL.RawQuery
	}
	remote := r.RemoteAddr
	if h, _, err := net.SplitHostPort(remote); err == nil {
		remote = h
	}
	rc := &requestContext{
		Method: truncate(r.Method),
		URL: requestURL{
			Full:     truncate(full),
			Protocol: scheme + ":",
			Hostname: truncate(hostname),
			Port:     truncate(port),
			Pathname: truncate(r.URL.Path),
			Search:   truncate(r.URL.RawQuery),
		},
		HTTPVersion: strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor),
		Socket:      &socket{RemoteAddress: truncate(remote)},
	}
	// Only the User-Agent is reported: other headers may carry
	// credentials and are of no use for the registry's anonymous API.
	if ua := r.UserAgent(); ua != "" {
		rc.Headers = map[string]string{"User-Agent": truncate(ua)}
	}
	return rc
}

// linkError attaches an error to its transaction and current span.
func linkError(ev *errorEvent, tx *Transaction, span *Span) {
	if tx == nil {
		return
	}
	trace, txID, parent := tx.traceID, tx.id, tx.id
	if span != nil {
		parent = span.id
	}
	ev.TraceID, ev.TransactionID, ev.ParentID = &trace, &txID, &parent
	ev.Transaction = &errorTx{Sampled: tx.sampled, Name: truncate(tx.name), Type: truncate(tx.typ)}
}

// maxMessage bounds error messages (a text field, not a keyword, but
// there is no point in shipping megabytes).
const maxMessage = 10000

func truncateLong(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	return strings.ToValidUTF8(s[:maxMessage], "")
}

func baseName(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}
