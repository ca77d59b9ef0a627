// Package metrics is the registry's Prometheus instrumentation
// (docs/operations.md, "Metrics"): the epr_* metrics, the HTTP middleware
// that labels requests with their route template, and the /metrics
// handler.
//
// A *Metrics exists only when -metrics-address is set. Every method is safe
// on a nil *Metrics and then does nothing, so callers wire the hooks
// unconditionally and metrics stay off unless main created them.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

const namespace = "epr"

// sizeBuckets are upstream's buckets for the request and response size
// histograms, in bytes.
var sizeBuckets = []float64{16, 32, 64, 128, 256, 512, 1024, 65536, 262144}

// Metrics holds the registry's collectors on their own Prometheus registry.
type Metrics struct {
	registry *prometheus.Registry

	serviceInfo     *prometheus.GaugeVec
	indexedPackages prometheus.Gauge
	storageRequests *prometheus.CounterVec

	updateSuccess  prometheus.Counter
	updateError    prometheus.Counter
	updateDuration prometheus.Histogram
	indexerGet     *prometheus.HistogramVec

	inFlight     prometheus.Gauge
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	requestSize  *prometheus.HistogramVec
	responseSize *prometheus.HistogramVec
}

// New creates the metrics and registers them, together with the Go runtime
// and process collectors that upstream's default registry carries, on a
// fresh registry. A registry of our own keeps the collectors out of
// package-level state, so tests (and a future second server) can each have
// theirs; what /metrics exposes is the same as with the default registry.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		serviceInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "service_info",
			Help:      "Version information about this binary.",
		}, []string{"version", "instance"}),
		indexedPackages: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "number_indexed_packages",
			Help:      "A gauge for number of indexed packages.",
		}),
		storageRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "storage_requests_total",
			Help:      "A counter for requests performed to the storage.",
		}, []string{"location", "component"}),
		updateSuccess: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "storage_indexer_update_index_success_total",
			Help:      "A counter for all the updates index of the cursor that finished successfully in the storage indexer.",
		}),
		// "error", singular, next to "success": upstream's asymmetry,
		// kept because dashboards query these names.
		updateError: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "storage_indexer_update_index_error_total",
			Help:      "A counter for all the update index of the cursor that finished with error in the storage indexer.",
		}),
		updateDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "storage_indexer_update_index_duration_seconds",
			Help:      "A histogram of latencies for update index processes run by the storage indexer.",
			Buckets:   prometheus.DefBuckets,
		}),
		indexerGet: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "indexer_get_duration_seconds",
			Help:      "A histogram of latencies for get processes run by the indexer.",
			Buckets:   prometheus.DefBuckets,
		}, []string{"indexer"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "in_flight_requests",
			Help:      "A gauge of requests currently being served by the http server.",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "http_requests_total",
			Help:      "A counter for requests to the http server.",
		}, httpLabels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "http_request_duration_seconds",
			Help:      "A histogram of latencies for requests to the http server.",
			Buckets:   prometheus.DefBuckets,
		}, httpLabels),
		requestSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "http_request_size_bytes",
			Help:      "A histogram of sizes of requests to the http server.",
			Buckets:   sizeBuckets,
		}, httpLabels),
		responseSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "http_response_size_bytes",
			Help:      "A histogram of response sizes for requests to the http server.",
			Buckets:   sizeBuckets,
		}, httpLabels),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.serviceInfo,
		m.indexedPackages,
		m.storageRequests,
		m.updateSuccess,
		m.updateError,
		m.updateDuration,
		m.indexerGet,
		m.inFlight,
		m.requests,
		m.duration,
		m.requestSize,
		m.responseSize,
	)
	return m
}

// Registry is where the collectors live; tests gather from it.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.registry
}

// SetServiceInfo sets epr_service_info{version, instance} to 1. Upstream
// does it once, when the metrics listener starts.
func (m *Metrics) SetServiceInfo(version, instance string) {
	if m == nil {
		return
	}
	m.serviceInfo.WithLabelValues(version, instance).Set(1)
}

// SetIndexedPackages sets epr_number_indexed_packages.
func (m *Metrics) SetIndexedPackages(n int) {
	if m == nil {
		return
	}
	m.indexedPackages.Set(float64(n))
}

// CountStorageRequest counts one served artifact, signature or static
// request: location "local" or "remote", component "artifacts",
// "signatures" or "statics". Its signature is server.Options'
// CountStorageRequest hook.
func (m *Metrics) CountStorageRequest(location, component string) {
	if m == nil {
		return
	}
	m.storageRequests.WithLabelValues(location, component).Inc()
}

// CountRemoteStorageRequest is CountStorageRequest for storage-indexer
// packages (the storage package's RemoteRequest hook).
func (m *Metrics) CountRemoteStorageRequest(component string) {
	m.CountStorageRequest("remote", component)
}

// StorageUpdateSucceeded counts an index update that adopted a new cursor.
func (m *Metrics) StorageUpdateSucceeded() {
	if m == nil {
		return
	}
	m.updateSuccess.Inc()
}

// StorageUpdateFailed counts a failed index update.
func (m *Metrics) StorageUpdateFailed() {
	if m == nil {
		return
	}
	m.updateError.Inc()
}

// ObserveStorageUpdate records the duration of one update attempt, no-op
// cursor checks included.
func (m *Metrics) ObserveStorageUpdate(d time.Duration) {
	if m == nil {
		return
	}
	m.updateDuration.Observe(d.Seconds())
}

// ObserveIndexerGet records the duration of one Get call on the named
// indexer (FileSystemIndexer, ZipFileSystemIndexer, StorageIndexer or
// SQLStorageIndexer).
func (m *Metrics) ObserveIndexerGet(indexer string, d time.Duration) {
	if m == nil {
		return
	}
	m.indexerGet.WithLabelValues(indexer).Observe(d.Seconds())
}
