package apmlite

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"
)

// The intake v2 event model: only the fields the registry fills. Field
// names and units follow the APM Server intake spec: ids in hex,
// timestamps in microseconds since the epoch, durations in milliseconds.

// AgentName and AgentVersion identify this implementation in metadata.
// The name is "go" because Kibana's APM app keys its Go-specific views
// (runtime metrics, stack-frame display) on it; the version says that it
// is the registry's own intake client, not the Elastic Go agent.
const (
	AgentName    = "go"
	AgentVersion = "epr-apmlite-1"
)

// maxKeyword is the intake's limit for keyword fields. APM Server rejects
// an event with a longer value, so every string taken from a request is
// cut to it.
const maxKeyword = 1024

// envelope is one ndjson line: exactly one of the fields is set.
type envelope struct {
	Metadata    *metadata         `json:"metadata,omitempty"`
	Transaction *transactionEvent `json:"transaction,omitempty"`
	Span        *spanEvent        `json:"span,omitempty"`
	Error       *errorEvent       `json:"error,omitempty"`
}

type metadata struct {
	Service serviceMeta       `json:"service"`
	Process processMeta       `json:"process"`
	System  systemMeta        `json:"system"`
	Labels  map[string]string `json:"labels,omitempty"`
}

type serviceMeta struct {
	Name        string    `json:"name"`
	Version     string    `json:"version,omitempty"`
	Environment string    `json:"environment,omitempty"`
	Node        *nodeMeta `json:"node,omitempty"`
	Agent       nameVer   `json:"agent"`
	Language    nameVer   `json:"language"`
	Runtime     nameVer   `json:"runtime"`
}

type nodeMeta struct {
	ConfiguredName string `json:"configured_name"`
}

type nameVer struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type processMeta struct {
	PID   int    `json:"pid"`
	PPID  int    `json:"ppid,omitempty"`
	Title string `json:"title,omitempty"`
}

type systemMeta struct {
	Architecture       string `json:"architecture"`
	Platform           string `json:"platform"`
	DetectedHostname   string `json:"detected_hostname,omitempty"`
	ConfiguredHostname string `json:"configured_hostname,omitempty"`
}

func newMetadata(cfg *Config) *metadata {
	hostname, _ := os.Hostname()
	m := &metadata{
		Service: serviceMeta{
			Name:        sanitizeServiceName(cfg.ServiceName),
			Version:     truncate(cfg.ServiceVersion),
			Environment: truncate(cfg.Environment),
			Agent:       nameVer{Name: AgentName, Version: AgentVersion},
			Language:    nameVer{Name: "go", Version: runtime.Version()},
			Runtime:     nameVer{Name: runtime.Compiler, Version: runtime.Version()},
		},
		Process: processMeta{
			PID:   os.Getpid(),
			PPID:  os.Getppid(),
			Title: truncate(filepath.Base(os.Args[0])),
		},
		System: systemMeta{
			Architecture:       runtime.GOARCH,
			Platform:           runtime.GOOS,
			DetectedHostname:   truncate(hostname),
			ConfiguredHostname: truncate(cfg.Hostname),
		},
	}
	if cfg.ServiceNodeName != "" {
		m.Service.Node = &nodeMeta{ConfiguredName: truncate(cfg.ServiceNodeName)}
	}
	if len(cfg.Labels) > 0 {
		m.Labels = make(map[string]string, len(cfg.Labels))
		for _, l := range cfg.Labels {
			m.Labels[sanitizeLabelKey(l.Key)] = truncate(l.Value)
		}
	}
	return m
}

type transactionEvent struct {
	ID         SpanID     `json:"id"`
	TraceID    TraceID    `json:"trace_id"`
	ParentID   *SpanID    `json:"parent_id,omitempty"`
	Name       string     `json:"name"`
	Type       string     `json:"type"`
	Timestamp  int64      `json:"timestamp"`
	Duration   float64    `json:"duration"`
	Result     string     `json:"result,omitempty"`
	Outcome    string     `json:"outcome,omitempty"`
	Sampled    bool       `json:"sampled"`
	SampleRate *float64   `json:"sample_rate,omitempty"`
	SpanCount  spanCount  `json:"span_count"`
	Context    *txContext `json:"context,omitempty"`
}

type spanCount struct {
	Started int `json:"started"`
	Dropped int `json:"dropped"`
}

type txContext struct {
	Request  *requestContext  `json:"request,omitempty"`
	Response *responseContext `json:"response,omitempty"`
}

type requestContext struct {
	Method      string            `json:"method"`
	URL         requestURL        `json:"url"`
	HTTPVersion string            `json:"http_version,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	Socket      *socket           `json:"socket,omitempty"`
}

type requestURL struct {
	Full     string `json:"full,omitempty"`
	Protocol string `json:"protocol,omitempty"`
	Hostname string `json:"hostname,omitempty"`
	Port     string `json:"port,omitempty"`
	Pathname string `json:"pathname,omitempty"`
	Search   string `json:"search,omitempty"`
}

type socket struct {
	RemoteAddress string `json:"remote_address,omitempty"`
}

type responseContext struct {
	StatusCode  int  `json:"status_code,omitempty"`
	HeadersSent bool `json:"headers_sent"`
	Finished    bool `json:"finished"`
}

type spanEvent struct {
	ID            SpanID       `json:"id"`
	TransactionID SpanID       `json:"transaction_id"`
	TraceID       TraceID      `json:"trace_id"`
	ParentID      SpanID       `json:"parent_id"`
	Name          string       `json:"name"`
	Type          string       `json:"type"`
	Subtype       string       `json:"subtype,omitempty"`
	Action        string       `json:"action,omitempty"`
	Timestamp     int64        `json:"timestamp"`
	Duration      float64      `json:"duration"`
	Outcome       string       `json:"outcome,omitempty"`
	Context       *spanContext `json:"context,omitempty"`
}

type spanContext struct {
	HTTP        *spanHTTP    `json:"http,omitempty"`
	Destination *destination `json:"destination,omitempty"`
}

type spanHTTP struct {
	URL        string `json:"url,omitempty"`
	Method     string `json:"method,omitempty"`
	StatusCode int    `json:"status_code,omitempty"`
}

type destination struct {
	Address string             `json:"address,omitempty"`
	Port    int                `json:"port,omitempty"`
	Service destinationService `json:"service"`
}

type destinationService struct {
	Type     string `json:"type"`
	Name     string `json:"name"`
	Resource string `json:"resource"`
}

type errorEvent struct {
	ID            TraceID          `json:"id"`
	TraceID       *TraceID         `json:"trace_id,omitempty"`
	TransactionID *SpanID          `json:"transaction_id,omitempty"`
	ParentID      *SpanID          `json:"parent_id,omitempty"`
	Timestamp     int64            `json:"timestamp"`
	Culprit       string           `json:"culprit,omitempty"`
	Transaction   *errorTx         `json:"transaction,omitempty"`
	Exception     *exception       `json:"exception,omitempty"`
	Log           *errorLog        `json:"log,omitempty"`
	Context       *errorCtxRequest `json:"context,omitempty"`
}

type errorTx struct {
	Sampled bool   `json:"sampled"`
	Name    string `json:"name,omitempty"`
	Type    string `json:"type,omitempty"`
}

type errorCtxRequest struct {
	Request *requestContext `json:"request,omitempty"`
}

type exception struct {
	Message    string       `json:"message"`
	Type       string       `json:"type,omitempty"`
	Handled    bool         `json:"handled"`
	Stacktrace []stackFrame `json:"stacktrace,omitempty"`
}

type errorLog struct {
	Message    string `json:"message"`
	Level      string `json:"level,omitempty"`
	LoggerName string `json:"logger_name,omitempty"`
}

type stackFrame struct {
	Function string `json:"function,omitempty"`
	Filename string `json:"filename"`
	AbsPath  string `json:"abs_path,omitempty"`
	Lineno   int    `json:"lineno"`
}

// micros is an intake timestamp.
func micros(t time.Time) int64 { return t.UnixMicro() }

// millis is an intake duration.
func millis(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// truncate cuts s to the intake's keyword limit on a rune boundary.
func truncate(s string) string {
	if len(s) <= maxKeyword {
		return s
	}
	cut := maxKeyword
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// sanitizeServiceName maps the name onto what APM Server accepts
// ([a-zA-Z0-9 _-]), as the agents do. Logs and / keep the original name.
func sanitizeServiceName(name string) string {
	name = truncate(name)
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == ' ', r == '_', r == '-':
			return r
		}
		return '_'
	}, name)
}

// sanitizeLabelKey replaces the characters label keys may not contain.
func sanitizeLabelKey(k string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '*' || r == '"' {
			return '_'
		}
		return r
	}, truncate(k))
}
