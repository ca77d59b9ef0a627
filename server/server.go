// Package server is the HTTP API of the registry (api.md).
package server

import (
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"

	"epr/indexer"
)

// Options configure the router. Cache times must be > 0.
type Options struct {
	Indexer indexer.Indexer
	Logger  *zap.Logger

	CacheTimeIndex      time.Duration
	CacheTimeSearch     time.Duration
	CacheTimeCategories time.Duration
	CacheTimeCatchAll   time.Duration

	AllowUnknownQueryParameters bool

	// ServiceName and ServiceVersion are what / and /index.json report.
	ServiceName    string
	ServiceVersion string

	// Proxy is the proxy-mode client; nil when proxy mode is off.
	Proxy Proxy

	// SearchCache and CategoriesCache are optional response caches.
	SearchCache     ResponseCache
	CategoriesCache ResponseCache
}

// Proxy is what the handlers need from proxy mode (operations.md §9).
type Proxy interface {
	// Search asks the remote registry the same /search request.
	Search(r *http.Request) (packagesList, error)
	// Categories asks the remote registry the same /categories request.
	Categories(r *http.Request) (categoriesList, error)
	// Package looks a package up remotely; (nil, nil) when the remote
	// answers 404. The returned package's Resolver redirects to the remote.
	Package(r *http.Request, name, version string) (packagePtr, error)
}

// NewRouter builds the main HTTP handler.
func NewRouter(opts Options) (http.Handler, error) {
	return nil, errors.New("not implemented")
}

// ResponseCache keeps finished /search or /categories bodies keyed by the
// request URL (SQL storage indexer's technical-preview caches, search.md §11).
type ResponseCache interface {
	Get(key string) ([]byte, bool)
	Add(key string, body []byte)
}
