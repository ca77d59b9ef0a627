package main

import (
	"go.uber.org/zap"

	"epr/config"
	"epr/server"
)

// setupProxy returns the proxy-mode client, or nil when proxy mode is off
// (operations.md §9).
func setupProxy(cfg *config.Config, logger *zap.Logger) (server.Proxy, error) {
	return nil, nil
}
