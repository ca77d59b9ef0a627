package apmlite

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Tracer creates transactions and sends them, with their spans and errors,
// to APM Server in the background. A nil *Tracer is a valid, disabled
// tracer.
type Tracer struct {
	cfg Config

	// metadataLine is the first ndjson line of every request body.
	metadataLine []byte
	endpoint     string
	authz        string
	userAgent    string
	client       *http.Client

	events  chan envelope
	dropped atomic.Uint64
	closed  atomic.Bool
	logger  atomic.Pointer[zap.Logger]

	flushReq  chan chan struct{}
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	// sendCtx ends the request in flight when the final flush has taken
	// CloseTimeout.
	sendCtx    context.Context
	cancelSend context.CancelFunc
}

// NewFromEnv creates the tracer the ELASTIC_APM_* variables describe
// (ConfigFromEnv). It returns nil, nil when APM is off.
func NewFromEnv(lookupEnv func(string) (string, bool), serviceName, serviceVersion string) (*Tracer, error) {
	cfg, enabled, err := ConfigFromEnv(lookupEnv, serviceName, serviceVersion)
	if err != nil || !enabled {
		return nil, err
	}
	return New(cfg)
}

// New starts a tracer. Close it to flush what is pending.
func New(cfg Config) (*Tracer, error) {
	if cfg.ServerURL == nil {
		return nil, errors.New("no APM Server URL")
	}
	if cfg.SampleRate < 0 || cfg.SampleRate > 1 {
		return nil, errors.New("sample rate out of range [0,1.0]")
	}
	if cfg.ServiceName == "" {
		cfg.ServiceName = DefaultServiceName
	}
	if cfg.ServerTimeout == 0 {
		cfg.ServerTimeout = DefaultServerTimeout
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.MaxSpans == 0 {
		cfg.MaxSpans = DefaultMaxSpans
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.CloseTimeout <= 0 {
		cfg.CloseTimeout = DefaultCloseTimeout
	}

	line, err := json.Marshal(envelope{Metadata: newMetadata(&cfg)})
	if err != nil {
		return nil, err
	}
	t := &Tracer{
		cfg:          cfg,
		metadataLine: line,
		endpoint:     intakeEndpoint(cfg),
		authz:        authorization(cfg),
		userAgent:    "epr-apmlite (" + sanitizeServiceName(cfg.ServiceName) + " " + cfg.ServiceVersion + ")",
		client:       newClient(cfg),
		events:       make(chan envelope, cfg.QueueSize),
		flushReq:     make(chan chan struct{}),
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	t.logger.Store(zap.NewNop())
	t.sendCtx, t.cancelSend = context.WithCancel(context.Background())
	go t.loop()
	return t, nil
}

func intakeEndpoint(cfg Config) string {
	u := *cfg.ServerURL
	u.Path = strings.TrimSuffix(u.Path, "/") + "/intake/v2/events"
	u.RawPath = ""
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

func authorization(cfg Config) string {
	switch {
	case cfg.APIKey != "":
		return "ApiKey " + cfg.APIKey
	case cfg.SecretToken != "":
		return "Bearer " + cfg.SecretToken
	}
	return ""
}

func newClient(cfg Config) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.InsecureSkipVerify {
		transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // operator's explicit choice
	}
	c := &http.Client{Transport: transport}
	if cfg.ServerTimeout > 0 {
		c.Timeout = cfg.ServerTimeout
	}
	return c
}

// SetLogger sets where the tracer reports its own problems (failed sends);
// main passes the logger named "apm". Events logged through it are never
// sent to APM, so a broken APM Server cannot feed itself.
func (t *Tracer) SetLogger(l *zap.Logger) {
	if t == nil || l == nil {
		return
	}
	t.logger.Store(l)
}

// Dropped is the number of events discarded because the queue was full
// or the tracer closed.
func (t *Tracer) Dropped() uint64 {
	if t == nil {
		return 0
	}
	return t.dropped.Load()
}

// enqueue hands an event to the sender without ever blocking: when the
// queue is full the event is dropped and counted.
func (t *Tracer) enqueue(e envelope) {
	if t.closed.Load() {
		t.dropped.Add(1)
		return
	}
	select {
	case t.events <- e:
	default:
		t.dropped.Add(1)
	}
}

// Flush sends everything queued so far, ignoring a pending retry delay,
// and waits until that send is over or ctx ends.
func (t *Tracer) Flush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	done := make(chan struct{})
	select {
	case t.flushReq <- done:
	case <-t.done:
		return errors.New("tracer closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting events, sends what is queued and returns within
// CloseTimeout: after that a send in progress is abandoned.
func (t *Tracer) Close() {
	if t == nil {
		return
	}
	t.closeOnce.Do(func() {
		t.closed.Store(true)
		close(t.stop)
		timer := time.NewTimer(t.cfg.CloseTimeout)
		defer timer.Stop()
		select {
		case <-t.done:
		case <-timer.C:
			t.cancelSend()
			<-t.done
		}
		t.cancelSend()
		t.client.CloseIdleConnections()
	})
}

// sample decides whether a new root transaction is sampled.
func (t *Tracer) sample() bool {
	switch r := t.cfg.SampleRate; {
	case r >= 1:
		return true
	case r <= 0:
		return false
	default:
		return rand.Float64() < r
	}
}
