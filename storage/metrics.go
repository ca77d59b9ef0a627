package storage

import "time"

// Metrics are optional callbacks through which the indexers report what the
// epr_storage_indexer_*, epr_number_indexed_packages,
// epr_indexer_get_duration_seconds and epr_storage_requests_total metrics
// count (docs/operations.md, "Metrics"). Any nil field is skipped, so the
// metrics code can be wired in without this package importing Prometheus.
type Metrics struct {
	// UpdateSucceeded: an update adopted a new cursor.
	UpdateSucceeded func()
	// UpdateFailed: an update failed (cursor, index, delta listing or
	// fallback full index).
	UpdateFailed func()
	// UpdateDuration: every update attempt, no-op checks included.
	UpdateDuration func(time.Duration)
	// IndexedPackages: the number of packages of this storage index after
	// each successful update.
	IndexedPackages func(n int)
	// GetDuration: every Get call; indexer is "StorageIndexer" or
	// "SQLStorageIndexer".
	GetDuration func(indexer string, d time.Duration)
	// RemoteRequest: a relayed artifact, signature or static request got an
	// answer from the endpoint; component is "artifacts", "signatures" or
	// "statics".
	RemoteRequest func(component string)
}

func (m *Metrics) updateSucceeded() {
	if m != nil && m.UpdateSucceeded != nil {
		m.UpdateSucceeded()
	}
}

func (m *Metrics) updateFailed() {
	if m != nil && m.UpdateFailed != nil {
		m.UpdateFailed()
	}
}

func (m *Metrics) updateDuration(start time.Time) {
	if m != nil && m.UpdateDuration != nil {
		m.UpdateDuration(time.Since(start))
	}
}

func (m *Metrics) indexedPackages(n int) {
	if m != nil && m.IndexedPackages != nil {
		m.IndexedPackages(n)
	}
}

func (m *Metrics) getDuration(indexer string, start time.Time) {
	if m != nil && m.GetDuration != nil {
		m.GetDuration(indexer, time.Since(start))
	}
}

func (m *Metrics) remoteRequest(component string) {
	if m != nil && m.RemoteRequest != nil {
		m.RemoteRequest(component)
	}
}
