// Package storage reads packages from Package Storage v2
// (docs/storage_indexers.md): the in-memory storage indexer and the SQL
// storage indexer, both fed by a GCS bucket (cursor.json,
// search-index-all.json and, for the in-memory indexer,
// search-index-delta.json), the resolver that relays artifacts, signatures
// and static files from the public storage endpoint, the response caches of
// the SQL indexer and the in-process fake GCS server used for local
// development.
package storage
