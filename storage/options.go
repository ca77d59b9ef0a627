package storage

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
)

// DefaultEndpoint is the public Package Storage endpoint (-storage-endpoint).
const DefaultEndpoint = "https://package-storage.elastic.co/"

// Options are what both storage indexers are configured with.
type Options struct {
	// Bucket is -storage-indexer-bucket-internal: gs://<bucket>[/<root>].
	Bucket string
	// Endpoint is -storage-endpoint, where artifacts and statics are relayed
	// from.
	Endpoint string
	// WatchInterval is -storage-indexer-watch-interval; 0 disables polling.
	WatchInterval time.Duration
	// Logger may be nil.
	Logger *zap.Logger
	// Metrics receives the indexer's measurements; nil disables them.
	Metrics *Metrics
	// Tracer records each index poll as an APM transaction; nil when APM
	// is off.
	Tracer *apmlite.Tracer
	// ResolverOptions tune the relay of artifacts and statics.
	Resolver ResolverOptions
}

// location is a parsed bucket option: the bucket name and the root prefix
// in front of every object name.
type location struct {
	bucket string
	root   string
}

func (l location) object(name string) string {
	return path.Join(l.root, name)
}

func (l location) cursorObject() string { return l.object("v2/metadata/cursor.json") }

func (l location) metadataPrefix() string { return l.object("v2/metadata") + "/" }

func (l location) indexObject(cursor string) string {
	return l.object(path.Join("v2/metadata", cursor, "search-index-all.json"))
}

func (l location) deltaObject(cursor string) string {
	return l.object(path.Join("v2/metadata", cursor, "search-index-delta.json"))
}

// validated is the result of option validation (Init step 1).
type validated struct {
	loc      location
	endpoint *url.URL
}

// validate checks the options in upstream's order; the messages are the
// Init errors upstream gives, word for word, since operators and scripts
// match on them.
func (o *Options) validate() (*validated, error) {
	loc, err := parseBucket(o.Bucket)
	if err != nil {
		return nil, err
	}
	endpoint, err := url.Parse(o.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("validation failed: invalid options.PackageStorageEndpoint, URL expected: %w", err)
	}
	if o.WatchInterval < 0 {
		return nil, errors.New("validation failed: options.WatchInterval must be greater than or equal to 0")
	}
	return &validated{loc: loc, endpoint: endpoint}, nil
}

func parseBucket(s string) (location, error) {
	rest, ok := strings.CutPrefix(s, "gs://")
	name, root, _ := strings.Cut(rest, "/")
	if !ok || name == "" {
		return location{}, errors.New("validation failed: missing or invalid options.PackageStorageBucketInternal")
	}
	return location{bucket: name, root: strings.TrimPrefix(root, "/")}, nil
}

func (o *Options) logger() *zap.Logger {
	if o.Logger == nil {
		return zap.NewNop()
	}
	return o.Logger
}
