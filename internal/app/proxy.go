package app

import (
	"errors"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/proxymode"
	"github.com/eprgo/package-registry/server"
)

// setupProxy returns the proxy-mode client, or nil when proxy mode is off
// (-feature-proxy-mode: what is not found locally is asked of -proxy-to).
// The router logs the technical-preview line.
func setupProxy(cfg *config.Config, logger *zap.Logger) (server.Proxy, error) {
	if !cfg.Flags.FeatureProxyMode {
		return nil, nil
	}
	client, err := proxymode.New(cfg.Flags.ProxyTo, proxymode.Options{Logger: logger})
	if err != nil {
		// Config.Validate has parsed -proxy-to already, so this is not
		// expected; the message is the one of that check.
		return nil, failure("invalid -proxy-to URL", errors.Unwrap(err))
	}
	return client, nil
}
