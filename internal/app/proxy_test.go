package app

import (
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/eprgo/package-registry/config"
)

func TestSetupProxy(t *testing.T) {
	cases := []struct {
		name    string
		on      bool
		proxyTo string
		wantNil bool
		wantErr bool
	}{
		{"proxy mode off", false, "https://epr.elastic.co/", true, false},
		{"proxy mode on", true, "https://epr.elastic.co/", false, false},
		{"empty proxy-to fails at request time only", true, "", false, false},
		{"unparsable proxy-to", true, "ht tp://x", true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			core, logs := observer.New(zapcore.DebugLevel)
			cfg := &config.Config{}
			cfg.Flags.FeatureProxyMode = tc.on
			cfg.Flags.ProxyTo = tc.proxyTo
			p, err := setupProxy(cfg, zap.New(core))
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want one: %v", err, tc.wantErr)
			}
			// A typed nil inside the interface would make the handlers
			// believe proxy mode is on.
			if (p == nil) != tc.wantNil {
				t.Fatalf("proxy = %#v, want nil: %v", p, tc.wantNil)
			}
			// server.NewRouter logs the technical-preview line; a second
			// one here would duplicate it.
			if n := logs.Len(); n != 0 {
				t.Errorf("setupProxy logged %d lines: %v", n, logs.All())
			}
		})
	}
}
