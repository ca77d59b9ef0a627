// Package server is the HTTP API of the registry (docs/api.md).
package server

import (
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/indexer"
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
	// Empty values fall back to "package-registry" and the upstream version.
	ServiceName    string
	ServiceVersion string

	// Proxy is the proxy-mode client; nil when proxy mode is off.
	Proxy Proxy

	// SearchCache and CategoriesCache are optional response caches.
	SearchCache     ResponseCache
	CategoriesCache ResponseCache

	// AnswerCacheBytes bounds the /search and /categories answers kept for
	// the current index generation (indexers that have one, see
	// indexer.Generational); DocCacheBytes the decompressed package
	// documents. Zero means the defaults (256 MiB, 16 MiB), a negative
	// value no cache.
	AnswerCacheBytes int
	DocCacheBytes    int

	// Instrument, when set, wraps every routed request between the CORS
	// middleware and the access log, where upstream's metrics sit.
	// RouteTemplate gives it the route's `path` label.
	Instrument func(http.Handler) http.Handler

	// Tracer, when set, makes every routed request and the not-found
	// handler an APM transaction (inside Instrument). Handler log lines
	// then carry the request's trace ids (apmlite.TraceFields).
	Tracer *apmlite.Tracer

	// WriteStallTimeout, when > 0, closes a connection whose client has
	// not accepted any answer data for this long (see respwriter.Wrap): a
	// timeout on progress, not on the whole answer. 0 means none.
	WriteStallTimeout time.Duration

	// CountStorageRequest, when set, is called once per artifact, signature
	// or static request that reached a package (epr_storage_requests_total
	// in docs/operations.md): location "local" for packages on disk, "remote"
	// for proxy-mode redirects; component "artifacts", "signatures" or
	// "statics". Requests relayed to a storage endpoint are counted by the
	// storage resolver itself, not here.
	CountStorageRequest func(location, component string)
}

// Proxy is what the handlers need from proxy mode (-proxy-mode).
type Proxy interface {
	// Search asks the remote registry the same /search request.
	Search(r *http.Request) (packagesList, error)
	// Categories asks the remote registry the same /categories request.
	Categories(r *http.Request) (categoriesList, error)
	// Package looks a package up remotely; (nil, nil) when the remote
	// answers 404. The returned package's Resolver redirects to the remote.
	Package(r *http.Request, name, version string) (packagePtr, error)
}

// ResponseCache keeps finished /search or /categories bodies keyed by the
// request URL (the SQL storage indexer's technical-preview caches).
type ResponseCache interface {
	Get(key string) ([]byte, bool)
	Add(key string, body []byte)
}

// NewRouter builds the main HTTP handler.
func NewRouter(opts Options) (http.Handler, error) {
	if opts.Indexer == nil {
		return nil, errors.New("no indexer given")
	}
	for _, d := range []time.Duration{opts.CacheTimeIndex, opts.CacheTimeSearch, opts.CacheTimeCategories, opts.CacheTimeCatchAll} {
		if d <= 0 {
			return nil, errors.New("cache times must be greater than zero")
		}
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	s, err := newServer(opts)
	if err != nil {
		return nil, err
	}
	if opts.Proxy != nil {
		opts.Logger.Info("Technical preview: Proxy mode is an experimental feature and it may be unstable.")
	}
	return s.routes(), nil
}

// server holds what the handlers share; it is immutable once built,
// except for the caches, which lock.
type server struct {
	opts      Options
	log       *zap.Logger
	indexBody []byte
	caches
	// flights computes each missing answer once per generation for all the
	// requests that ask for it meanwhile (see serveQuery).
	flights singleflight.Group
	// cacheControl holds the Cache-Control values of the cache times.
	cacheControl map[time.Duration][]string
}

func newServer(opts Options) (*server, error) {
	body, err := indexBody(opts.ServiceName, opts.ServiceVersion)
	if err != nil {
		return nil, err
	}
	return &server{
		opts:      opts,
		log:       opts.Logger,
		indexBody: body,
		caches:    newCaches(opts.AnswerCacheBytes, opts.DocCacheBytes),
		cacheControl: cacheControlValues(opts.CacheTimeIndex, opts.CacheTimeSearch,
			opts.CacheTimeCategories, opts.CacheTimeCatchAll),
	}, nil
}
