package main

import (
	"go.uber.org/zap"

	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/proxymode"
	"github.com/eprgo/package-registry/server"
)

// setupProxy returns the proxy-mode client, or nil when proxy mode is off
// (operations.md §9). The router logs the technical-preview line.
func setupProxy(cfg *config.Config, logger *zap.Logger) (server.Proxy, error) {
	if !cfg.Flags.FeatureProxyMode {
		return nil, nil
	}
	client, err := proxymode.New(cfg.Flags.ProxyTo, proxymode.Options{Logger: logger})
	if err != nil {
		return nil, err
	}
	return client, nil
}
