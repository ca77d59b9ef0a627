package apmlite

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		enabled bool
		err     string
		check   func(t *testing.T, c Config)
	}{
		{
			name: "no server URL: off, nothing else read",
			env:  map[string]string{EnvSampleRate: "bogus", EnvActive: "bogus"},
		},
		{
			name:    "empty server URL: the agents' default",
			env:     map[string]string{EnvServerURL: ""},
			enabled: true,
			check: func(t *testing.T, c Config) {
				if c.ServerURL.String() != DefaultServerURL || c.SampleRate != 1 || c.ServerTimeout != DefaultServerTimeout ||
					c.FlushInterval != DefaultFlushInterval || c.MaxSpans != DefaultMaxSpans || c.InsecureSkipVerify {
					t.Errorf("defaults: %+v", c)
				}
				if c.ServiceName != "svc" || c.ServiceVersion != "1.40.1" {
					t.Errorf("service %q %q", c.ServiceName, c.ServiceVersion)
				}
			},
		},
		{
			name: "everything",
			env: map[string]string{
				EnvServerURL:        "https://apm.example:8200/prefix",
				EnvEnvironment:      "production",
				EnvSecretToken:      "tok",
				EnvAPIKey:           "key",
				EnvSampleRate:       "0.123456",
				EnvVerifyServerCert: "false",
				EnvServerTimeout:    "5",
				EnvFlushInterval:    "250ms",
				EnvHostname:         "node-1",
				EnvServiceNodeName:  "registry-a",
				EnvGlobalLabels:     "region=eu, tier = gold",
				EnvMaxSpans:         "-1",
			},
			enabled: true,
			check: func(t *testing.T, c Config) {
				if c.ServerURL.Host != "apm.example:8200" || c.Environment != "production" || c.SecretToken != "tok" || c.APIKey != "key" {
					t.Errorf("%+v", c)
				}
				if c.SampleRate != 0.1235 || !c.InsecureSkipVerify || c.ServerTimeout != 5*time.Second || c.FlushInterval != 250*time.Millisecond {
					t.Errorf("rate %v, insecure %v, timeout %v, flush %v", c.SampleRate, c.InsecureSkipVerify, c.ServerTimeout, c.FlushInterval)
				}
				if c.Hostname != "node-1" || c.ServiceNodeName != "registry-a" || c.MaxSpans <= 1<<30 {
					t.Errorf("%+v", c)
				}
				if want := []Label{{"region", "eu"}, {"tier", "gold"}}; !reflect.DeepEqual(c.Labels, want) {
					t.Errorf("labels %v", c.Labels)
				}
			},
		},
		{name: "inactive", env: map[string]string{EnvServerURL: "http://apm:8200", EnvActive: "false"}},
		{name: "not recording", env: map[string]string{EnvServerURL: "http://apm:8200", EnvRecording: "false"}},
		{name: "zero server timeout: none", env: map[string]string{EnvServerURL: "http://apm:8200", EnvServerTimeout: "0s"}, enabled: true,
			check: func(t *testing.T, c Config) {
				if c.ServerTimeout >= 0 {
					t.Errorf("timeout %v", c.ServerTimeout)
				}
			}},
		{name: "bad URL", env: map[string]string{EnvServerURL: "http://[::1"}, err: "failed to parse ELASTIC_APM_SERVER_URL: parse"},
		{name: "URL scheme", env: map[string]string{EnvServerURL: "ftp://apm"}, err: `failed to parse ELASTIC_APM_SERVER_URL: unsupported scheme "ftp"`},
		{name: "URL without host", env: map[string]string{EnvServerURL: "apm:8200"}, err: "failed to parse ELASTIC_APM_SERVER_URL"},
		{name: "bad rate", env: map[string]string{EnvServerURL: "", EnvSampleRate: "half"}, err: `failed to parse ELASTIC_APM_TRANSACTION_SAMPLE_RATE: strconv.ParseFloat: parsing "half": invalid syntax`},
		{name: "rate above 1", env: map[string]string{EnvServerURL: "", EnvSampleRate: "1.5"}, err: "invalid ELASTIC_APM_TRANSACTION_SAMPLE_RATE value 1.5: out of range [0,1.0]"},
		{name: "negative rate", env: map[string]string{EnvServerURL: "", EnvSampleRate: "-0.1"}, err: "out of range"},
		{name: "NaN rate", env: map[string]string{EnvServerURL: "", EnvSampleRate: "NaN"}, err: "out of range"},
		{name: "bad active, even when off", env: map[string]string{EnvServerURL: "", EnvActive: "nope"}, err: `failed to parse ELASTIC_APM_ACTIVE: strconv.ParseBool: parsing "nope": invalid syntax`},
		{name: "bad verify", env: map[string]string{EnvServerURL: "", EnvVerifyServerCert: "maybe"}, err: "failed to parse ELASTIC_APM_VERIFY_SERVER_CERT"},
		{name: "bad timeout", env: map[string]string{EnvServerURL: "", EnvServerTimeout: "soon"}, err: "failed to parse ELASTIC_APM_SERVER_TIMEOUT"},
		{name: "infinite timeout", env: map[string]string{EnvServerURL: "", EnvServerTimeout: "Inf"}, err: "failed to parse ELASTIC_APM_SERVER_TIMEOUT"},
		{name: "zero flush interval", env: map[string]string{EnvServerURL: "", EnvFlushInterval: "0"}, err: "must be greater than 0"},
		{name: "bad max spans", env: map[string]string{EnvServerURL: "", EnvMaxSpans: "many"}, err: "failed to parse ELASTIC_APM_TRANSACTION_MAX_SPANS"},
		{name: "bad labels", env: map[string]string{EnvServerURL: "", EnvGlobalLabels: "a=1,b"}, err: `failed to parse ELASTIC_APM_GLOBAL_LABELS: expected key=value, got "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, enabled, err := ConfigFromEnv(env(tt.env), "svc", "1.40.1")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || enabled != tt.enabled {
				t.Fatalf("enabled %v, err %v; want %v, nil", enabled, err, tt.enabled)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestNewFromEnvDisabled(t *testing.T) {
	for _, e := range []map[string]string{
		{},
		{EnvServerURL: "http://127.0.0.1:1", EnvActive: "false"},
	} {
		tr, err := NewFromEnv(env(e), "svc", "1")
		if tr != nil || err != nil {
			t.Errorf("%v: got %v, %v", e, tr, err)
		}
	}
	if _, err := NewFromEnv(env(map[string]string{EnvServerURL: "", EnvSampleRate: "2"}), "svc", "1"); err == nil {
		t.Error("an invalid value was accepted")
	}
}
