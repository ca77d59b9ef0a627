package apmlite

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Environment variables read by ConfigFromEnv. They keep the Elastic APM
// agents' names and meanings so existing deployments work unchanged.
const (
	EnvServerURL        = "ELASTIC_APM_SERVER_URL"
	EnvServiceName      = "ELASTIC_APM_SERVICE_NAME"
	EnvServiceNodeName  = "ELASTIC_APM_SERVICE_NODE_NAME"
	EnvEnvironment      = "ELASTIC_APM_ENVIRONMENT"
	EnvSecretToken      = "ELASTIC_APM_SECRET_TOKEN"
	EnvAPIKey           = "ELASTIC_APM_API_KEY"
	EnvSampleRate       = "ELASTIC_APM_TRANSACTION_SAMPLE_RATE"
	EnvActive           = "ELASTIC_APM_ACTIVE"
	EnvRecording        = "ELASTIC_APM_RECORDING"
	EnvVerifyServerCert = "ELASTIC_APM_VERIFY_SERVER_CERT"
	EnvServerTimeout    = "ELASTIC_APM_SERVER_TIMEOUT"
	EnvFlushInterval    = "ELASTIC_APM_FLUSH_INTERVAL"
	EnvHostname         = "ELASTIC_APM_HOSTNAME"
	EnvGlobalLabels     = "ELASTIC_APM_GLOBAL_LABELS"
	EnvMaxSpans         = "ELASTIC_APM_TRANSACTION_MAX_SPANS"
)

// EnvNames lists the variables ConfigFromEnv reads, so that the
// configuration can take them from the environment in one read.
func EnvNames() []string {
	return []string{
		EnvServerURL, EnvServiceName, EnvServiceNodeName, EnvEnvironment,
		EnvSecretToken, EnvAPIKey, EnvSampleRate, EnvActive, EnvRecording,
		EnvVerifyServerCert, EnvServerTimeout, EnvFlushInterval, EnvHostname,
		EnvGlobalLabels, EnvMaxSpans,
	}
}

// Defaults of the agents, used when a variable is unset or empty.
const (
	DefaultServerURL     = "http://localhost:8200"
	DefaultServiceName   = "package-registry"
	DefaultServerTimeout = 30 * time.Second
	DefaultFlushInterval = time.Second
	DefaultMaxSpans      = 500
	// DefaultQueueSize bounds the events waiting to be sent; more are
	// dropped, so a slow or dead APM Server costs memory only up to this.
	DefaultQueueSize = 2000
	// DefaultBatchSize is the number of events that triggers a send before
	// the flush interval has passed.
	DefaultBatchSize = 250
	// DefaultCloseTimeout bounds the final flush at shutdown.
	DefaultCloseTimeout = 3 * time.Second
)

// Config is a tracer's configuration. New fills zero values with the
// defaults above; ServerURL is required.
type Config struct {
	ServerURL *url.URL

	ServiceName     string
	ServiceVersion  string
	ServiceNodeName string
	Environment     string

	// SecretToken is sent as "Authorization: Bearer <token>", APIKey as
	// "Authorization: ApiKey <key>". The API key wins when both are set,
	// as with the Elastic agents.
	SecretToken string
	APIKey      string

	// SampleRate is the share of root transactions that are sampled, in
	// [0, 1]. Continued traces follow the caller's decision.
	SampleRate float64

	// InsecureSkipVerify disables the check of the APM Server's TLS
	// certificate (ELASTIC_APM_VERIFY_SERVER_CERT=false).
	InsecureSkipVerify bool
	// ServerTimeout bounds one request to the APM Server; negative means
	// no limit.
	ServerTimeout time.Duration
	FlushInterval time.Duration

	// Hostname is the configured host name; the detected one is always
	// sent too.
	Hostname string
	// Labels are the global labels of every event, in order.
	Labels []Label
	// MaxSpans is the number of spans recorded per transaction; later ones
	// are only counted as dropped.
	MaxSpans int

	// QueueSize, BatchSize and CloseTimeout tune the sender (defaults
	// above).
	QueueSize    int
	BatchSize    int
	CloseTimeout time.Duration
}

// Label is a global label (ELASTIC_APM_GLOBAL_LABELS).
type Label struct {
	Key, Value string
}

// ConfigFromEnv reads the ELASTIC_APM_* variables through lookupEnv.
// enabled is false when ELASTIC_APM_SERVER_URL is absent, and then nothing
// else is read or checked: APM is simply off, as upstream. It is also false
// when ELASTIC_APM_ACTIVE or ELASTIC_APM_RECORDING is false, after every
// value was checked, so a typo is reported even on a disabled agent.
// serviceName is the registry's service name (ELASTIC_APM_SERVICE_NAME or
// its default); serviceVersion is fixed by the registry, as upstream.
func ConfigFromEnv(lookupEnv func(string) (string, bool), serviceName, serviceVersion string) (cfg Config, enabled bool, err error) {
	rawURL, ok := lookupEnv(EnvServerURL)
	if !ok {
		return Config{}, false, nil
	}
	get := func(name string) string {
		v, _ := lookupEnv(name)
		return strings.TrimSpace(v)
	}

	cfg = Config{
		ServiceName:     serviceName,
		ServiceVersion:  serviceVersion,
		ServiceNodeName: get(EnvServiceNodeName),
		Environment:     get(EnvEnvironment),
		SecretToken:     get(EnvSecretToken),
		APIKey:          get(EnvAPIKey),
		Hostname:        get(EnvHostname),
		SampleRate:      1,
		ServerTimeout:   DefaultServerTimeout,
		FlushInterval:   DefaultFlushInterval,
		MaxSpans:        DefaultMaxSpans,
	}
	if cfg.ServerURL, err = parseServerURL(strings.TrimSpace(rawURL)); err != nil {
		return Config{}, false, err
	}
	active, err := parseBool(EnvActive, get(EnvActive), true)
	if err != nil {
		return Config{}, false, err
	}
	recording, err := parseBool(EnvRecording, get(EnvRecording), true)
	if err != nil {
		return Config{}, false, err
	}
	verify, err := parseBool(EnvVerifyServerCert, get(EnvVerifyServerCert), true)
	if err != nil {
		return Config{}, false, err
	}
	cfg.InsecureSkipVerify = !verify
	if v := get(EnvSampleRate); v != "" {
		if cfg.SampleRate, err = parseSampleRate(v); err != nil {
			return Config{}, false, err
		}
	}
	if v := get(EnvServerTimeout); v != "" {
		if cfg.ServerTimeout, err = parseDuration(EnvServerTimeout, v); err != nil {
			return Config{}, false, err
		}
		if cfg.ServerTimeout <= 0 {
			cfg.ServerTimeout = -1 // the agents' "no timeout"
		}
	}
	if v := get(EnvFlushInterval); v != "" {
		if cfg.FlushInterval, err = parseDuration(EnvFlushInterval, v); err != nil {
			return Config{}, false, err
		}
		if cfg.FlushInterval <= 0 {
			return Config{}, false, fmt.Errorf("invalid %s value %q: must be greater than 0", EnvFlushInterval, v)
		}
	}
	if v := get(EnvMaxSpans); v != "" {
		if cfg.MaxSpans, err = strconv.Atoi(v); err != nil {
			return Config{}, false, fmt.Errorf("failed to parse %s: %w", EnvMaxSpans, err)
		}
		if cfg.MaxSpans < 0 {
			cfg.MaxSpans = math.MaxInt // the agents' "unlimited"
		}
	}
	if cfg.Labels, err = parseLabels(get(EnvGlobalLabels)); err != nil {
		return Config{}, false, err
	}
	return cfg, active && recording, nil
}

// parseServerURL accepts an http or https URL with a host. An empty value
// means the agents' default, http://localhost:8200.
func parseServerURL(v string) (*url.URL, error) {
	if v == "" {
		v = DefaultServerURL
	}
	u, err := url.Parse(v)
	if err != nil {
		return nil, fmt.Errorf("failed to parse %s: %w", EnvServerURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("failed to parse %s: unsupported scheme %q (want http or https)", EnvServerURL, u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("failed to parse %s: missing host in %q", EnvServerURL, v)
	}
	return u, nil
}

func parseBool(name, v string, def bool) (bool, error) {
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("failed to parse %s: %w", name, err)
	}
	return b, nil
}

// parseSampleRate reads a rate in [0, 1], rounded to four decimals as the
// agents do (the rate travels in tracestate as es=s:<rate>).
func parseSampleRate(v string) (float64, error) {
	r, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("failed to parse %s: %w", EnvSampleRate, err)
	}
	if math.IsNaN(r) || r < 0 || r > 1 {
		return 0, fmt.Errorf("invalid %s value %s: out of range [0,1.0]", EnvSampleRate, v)
	}
	return math.Round(r*10000) / 10000, nil
}

// parseDuration reads the agents' duration format: a Go duration
// ("500ms", "1m"), where a bare number means seconds.
func parseDuration(name, v string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(n) || math.IsInf(n, 0) || math.Abs(n) > math.MaxInt64/float64(time.Second) {
			return 0, fmt.Errorf("failed to parse %s: invalid duration %q", name, v)
		}
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("failed to parse %s: %w", name, err)
	}
	return d, nil
}

// parseLabels reads "key=value,key2=value2".
func parseLabels(v string) ([]Label, error) {
	if v == "" {
		return nil, nil
	}
	var labels []Label
	for _, pair := range strings.Split(v, ",") {
		key, value, ok := strings.Cut(pair, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fmt.Errorf("failed to parse %s: %w", EnvGlobalLabels, errors.New("expected key=value, got "+strconv.Quote(pair)))
		}
		labels = append(labels, Label{Key: key, Value: strings.TrimSpace(value)})
	}
	return labels, nil
}
