package main

import (
	"net"
	"net/http"
	"os"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/metrics"
	"github.com/eprgo/package-registry/storage"
)

// newMetrics creates the Prometheus metrics when -metrics-address is set.
// Otherwise it returns nil, which every metrics hook treats as "off":
// nothing is registered and no request is instrumented (operations.md §6).
func newMetrics(cfg *config.Config) *metrics.Metrics {
	if cfg.Flags.MetricsAddress == "" {
		return nil
	}
	return metrics.New()
}

// storageMetrics connects the storage indexers' hooks to the metrics.
func storageMetrics(m *metrics.Metrics) *storage.Metrics {
	if m == nil {
		return nil
	}
	return &storage.Metrics{
		UpdateSucceeded: m.StorageUpdateSucceeded,
		UpdateFailed:    m.StorageUpdateFailed,
		UpdateDuration:  m.ObserveStorageUpdate,
		IndexedPackages: m.SetIndexedPackages,
		GetDuration:     m.ObserveIndexerGet,
		RemoteRequest:   m.CountRemoteStorageRequest,
	}
}

// startMetrics starts the metrics listener (step 17 of operations.md §1.1):
// plain HTTP, exactly /metrics, no middleware, not part of the graceful
// shutdown. A bind error is returned; a later serving error goes to
// failures. Both are fatal as "failed to start Prometheus metrics endpoint".
func startMetrics(cfg *config.Config, logger *zap.Logger, m *metrics.Metrics, failures chan<- *startupFailure) error {
	addr := cfg.Flags.MetricsAddress
	if addr == "" || m == nil {
		return nil
	}
	logger.Info("Starting http metrics in " + addr)
	m.SetServiceInfo(config.Version, hostname())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go func() {
		err := http.Serve(ln, m.Handler())
		failures <- &startupFailure{Message: "failed to start Prometheus metrics endpoint", Err: err}
	}()
	return nil
}

// hostname is epr_service_info's instance label: the OS host name, or
// "localhost" when it cannot be read, as upstream does.
func hostname() string {
	name, err := os.Hostname()
	if err != nil || name == "" {
		return "localhost"
	}
	return name
}
