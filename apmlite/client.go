package apmlite

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
)

// StartClientSpan starts an exit span (type external, subtype http) for an
// outgoing request built with the caller's context, and sets the
// traceparent and tracestate headers on it so the remote service continues
// the trace. Without a transaction in req's context it does nothing and
// returns nil. End the span with EndHTTP.
func StartClientSpan(req *http.Request) *Span {
	ctx := req.Context()
	tx := TransactionFromContext(ctx)
	if tx == nil {
		return nil
	}
	current := SpanFromContext(ctx)
	s := tx.startSpan(current, req.Method+" "+req.URL.Host, typeExternal, subtypeHTTP)
	parentForHeader := current
	if s.recorded {
		parentForHeader = s
		s.context = clientSpanContext(req)
	}
	req.Header.Set(headerTraceparent, tx.traceparent(parentForHeader))
	if tx.tracestate != "" {
		req.Header.Set(headerTracestate, tx.tracestate)
	}
	return s
}

// EndHTTP ends a client span with the outcome of the call: a transport
// error or a status of 400 and above is a failure.
func (s *Span) EndHTTP(resp *http.Response, err error) {
	if s == nil {
		return
	}
	s.mu.Lock()
	switch {
	case err != nil || resp == nil:
		s.outcome = OutcomeFailure
	case resp.StatusCode >= 400:
		s.outcome = OutcomeFailure
	default:
		s.outcome = OutcomeSuccess
	}
	if resp != nil && s.context != nil && s.context.HTTP != nil {
		s.context.HTTP.StatusCode = resp.StatusCode
	}
	s.mu.Unlock()
	s.End()
}

// clientSpanContext describes the called service. User information in
// the URL (a -proxy-to with credentials) is never reported.
func clientSpanContext(req *http.Request) *spanContext {
	u := *req.URL
	u.User = nil
	host, portText := u.Hostname(), u.Port()
	port, _ := strconv.Atoi(portText)
	if port == 0 {
		port = defaultPort(u.Scheme)
	}
	resource := net.JoinHostPort(host, strconv.Itoa(port))
	return &spanContext{
		HTTP: &spanHTTP{URL: truncate(u.String()), Method: truncate(req.Method)},
		Destination: &destination{
			Address: truncate(host),
			Port:    port,
			Service: destinationService{
				Type:     typeExternal,
				Name:     truncate(schemeHost(&u)),
				Resource: truncate(resource),
			},
		},
	}
}

func defaultPort(scheme string) int {
	if scheme == "https" {
		return 443
	}
	return 80
}

func schemeHost(u *url.URL) string {
	return u.Scheme + "://" + u.Host
}
