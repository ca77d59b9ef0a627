// Package apmlitetest is a stand-in APM Server for tests: it accepts the
// intake v2 protocol, checks each event the way APM Server would (required
// fields, id formats, units) and keeps what it received.
package apmlitetest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"
)

// IntakePath is where agents POST events.
const IntakePath = "/intake/v2/events"

// Request is one intake request as received.
type Request struct {
	Header   http.Header
	Metadata map[string]any
	Events   []Event
}

// Event is one decoded ndjson line after the metadata: Kind is
// "transaction", "span" or "error".
type Event struct {
	Kind string
	Data map[string]any
}

// Server records intake requests. Requests failing validation are
// answered 400 and listed by Problems.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	requests []Request
	problems []string
	status   int
}

// NewServer starts a server that answers 202 Accepted; it is closed when
// the test ends.
func NewServer(tb testing.TB) *Server {
	s := &Server{status: http.StatusAccepted}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// SetStatus makes the server answer status to valid requests (for
// example 503 to simulate an overloaded APM Server).
func (s *Server) SetStatus(status int) {
	s.mu.Lock()
	s.status = status
	s.mu.Unlock()
}

// Env is a lookupEnv pointing ELASTIC_APM_SERVER_URL at the server, with
// the extra variables set too.
func (s *Server) Env(extra map[string]string) func(string) (string, bool) {
	env := map[string]string{"ELASTIC_APM_SERVER_URL": s.URL}
	for k, v := range extra {
		env[k] = v
	}
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// Requests is a copy of the valid requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Problems are the reasons requests were rejected.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

// Events is every event of the given kind received so far, in order.
func (s *Server) Events(kind string) []map[string]any {
	var out []map[string]any
	for _, r := range s.Requests() {
		for _, e := range r.Events {
			if e.Kind == kind {
				out = append(out, e.Data)
			}
		}
	}
	return out
}

// WaitFor polls until cond holds for the events of kind, failing the test
// after 15 s (a deadline, not a timing assertion: the events are expected
// much sooner). It returns those events.
func (s *Server) WaitFor(tb testing.TB, kind string, cond func([]map[string]any) bool) []map[string]any {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		events := s.Events(kind)
		if cond(events) {
			return events
		}
		if time.Now().After(deadline) {
			tb.Fatalf("condition on %s events not met; got %d: %v (rejected requests: %v)", kind, len(events), events, s.Problems())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	req, err := decode(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.problems = append(s.problems, err.Error())
		http.Error(w, `{"errors":[{"message":`+fmt.Sprintf("%q", err.Error())+`}]}`, http.StatusBadRequest)
		return
	}
	s.requests = append(s.requests, req)
	w.WriteHeader(s.status)
}

func decode(r *http.Request) (Request, error) {
	if r.Method != http.MethodPost || r.URL.Path != IntakePath {
		return Request{}, fmt.Errorf("unexpected %s %s", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		return Request{}, fmt.Errorf("Content-Type %q, want application/x-ndjson", ct)
	}
	var body io.Reader = r.Body
	switch r.Header.Get("Content-Encoding") {
	case "gzip":
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return Request{}, err
		}
		body = zr
	case "deflate":
		zr, err := zlib.NewReader(r.Body)
		if err != nil {
			return Request{}, err
		}
		body = zr
	case "":
	default:
		return Request{}, fmt.Errorf("unsupported Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
	req := Request{Header: r.Header.Clone()}
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	first := true
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var obj map[string]map[string]any
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			return Request{}, fmt.Errorf("line %q: %w", line, err)
		}
		if len(obj) != 1 {
			return Request{}, fmt.Errorf("line %q: want exactly one key", line)
		}
		for kind, data := range obj {
			if first {
				if kind != "metadata" {
					return Request{}, fmt.Errorf("first line is %q, want metadata", kind)
				}
				if err := validateMetadata(data); err != nil {
					return Request{}, fmt.Errorf("metadata: %w", err)
				}
				req.Metadata = data
				first = false
				continue
			}
			if err := validateEvent(kind, data); err != nil {
				return Request{}, fmt.Errorf("%s %v: %w", kind, data, err)
			}
			req.Events = append(req.Events, Event{Kind: kind, Data: data})
		}
	}
	if err := sc.Err(); err != nil {
		return Request{}, err
	}
	if first {
		return Request{}, errors.New("empty body")
	}
	return req, nil
}

var (
	hex16 = regexp.MustCompile(`^[0-9a-f]{16}$`)
	hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

func validateMetadata(m map[string]any) error {
	service, _ := m["service"].(map[string]any)
	if service == nil {
		return errors.New("no service")
	}
	if name, _ := service["name"].(string); !regexp.MustCompile(`^[a-zA-Z0-9 _-]+$`).MatchString(name) {
		return fmt.Errorf("invalid service.name %q", name)
	}
	agent, _ := service["agent"].(map[string]any)
	if agent == nil || agent["name"] == nil || agent["version"] == nil {
		return errors.New("service.agent name and version are required")
	}
	return nil
}

func validateEvent(kind string, m map[string]any) error {
	switch kind {
	case "transaction":
		if err := requireIDs(m, map[string]*regexp.Regexp{"id": hex16, "trace_id": hex32}); err != nil {
			return err
		}
		if err := optionalIDs(m, map[string]*regexp.Regexp{"parent_id": hex16}); err != nil {
			return err
		}
		if _, ok := m["sampled"].(bool); !ok {
			return errors.New("sampled is required")
		}
		sc, _ := m["span_count"].(map[string]any)
		if sc == nil || sc["started"] == nil {
			return errors.New("span_count.started is required")
		}
		return requireTiming(m, "name", "type")
	case "span":
		if err := requireIDs(m, map[string]*regexp.Regexp{"id": hex16, "trace_id": hex32, "parent_id": hex16, "transaction_id": hex16}); err != nil {
			return err
		}
		return requireTiming(m, "name", "type")
	case "error":
		if err := requireIDs(m, map[string]*regexp.Regexp{"id": hex32}); err != nil {
			return err
		}
		if err := optionalIDs(m, map[string]*regexp.Regexp{"trace_id": hex32, "transaction_id": hex16, "parent_id": hex16}); err != nil {
			return err
		}
		if (m["transaction_id"] != nil || m["parent_id"] != nil) && m["trace_id"] == nil {
			return errors.New("transaction_id and parent_id need trace_id")
		}
		exc, _ := m["exception"].(map[string]any)
		lg, _ := m["log"].(map[string]any)
		if (exc == nil || exc["message"] == nil) && (lg == nil || lg["message"] == nil) {
			return errors.New("exception.message or log.message is required")
		}
		if ts, ok := m["timestamp"].(json.Number); !ok {
			return errors.New("timestamp is required")
		} else if _, err := ts.Int64(); err != nil {
			return errors.New("timestamp must be an integer (microseconds)")
		}
		return nil
	}
	return fmt.Errorf("unknown event kind %q", kind)
}

func requireIDs(m map[string]any, ids map[string]*regexp.Regexp) error {
	for k, re := range ids {
		v, _ := m[k].(string)
		if !re.MatchString(v) {
			return fmt.Errorf("%s %q is not a valid id", k, v)
		}
	}
	return nil
}

func optionalIDs(m map[string]any, ids map[string]*regexp.Regexp) error {
	for k, re := range ids {
		if v, ok := m[k]; ok {
			if s, _ := v.(string); !re.MatchString(s) {
				return fmt.Errorf("%s %v is not a valid id", k, v)
			}
		}
	}
	return nil
}

// requireTiming checks the keyword fields, the integer microsecond
// timestamp (after 2020, so seconds or milliseconds are caught) and the
// millisecond duration.
func requireTiming(m map[string]any, keywords ...string) error {
	for _, k := range keywords {
		if s, _ := m[k].(string); s == "" || len(s) > 1024 {
			return fmt.Errorf("%s must be a non-empty string of at most 1024 bytes", k)
		}
	}
	ts, ok := m["timestamp"].(json.Number)
	if !ok {
		return errors.New("timestamp is required")
	}
	us, err := ts.Int64()
	if err != nil || us < time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro() {
		return fmt.Errorf("timestamp %v is not microseconds since the epoch", ts)
	}
	d, ok := m["duration"].(json.Number)
	if !ok {
		return errors.New("duration is required")
	}
	if f, err := d.Float64(); err != nil || f < 0 {
		return fmt.Errorf("invalid duration %v", d)
	}
	return nil
}
