package storage

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// ResolverOptions tune the relay to the public storage endpoint.
type ResolverOptions struct {
	// Client overrides the HTTP client; nil means a client with a 20 s
	// connect timeout, no overall timeout and no retries, like upstream's:
	// artifacts can be large and slow, and the client retries itself.
	Client *http.Client
}

// Resolver serves the artifacts, signatures and static files of storage
// packages by relaying them from the public endpoint, as upstream does (see
// docs/storage_indexers.md). It implements indexer.RemoteResolver.
type Resolver struct {
	packagesBase *url.URL // <endpoint>artifacts/packages/
	staticBase   *url.URL // <endpoint>artifacts/static/
	client       *http.Client
	logger       *zap.Logger
	metrics      *Metrics
}

var _ indexer.RemoteResolver = (*Resolver)(nil)

// relayedHeaders are the only upstream headers copied, and only when the
// response does not carry them yet (the handlers' cache headers win).
var relayedHeaders = []string{"Content-Length", "Content-Type", "Last-Modified", "Date"}

// NewResolver builds the resolver for an endpoint. The artifact URLs are
// obtained by RFC 3986 reference resolution, so an endpoint with a path
// keeps it only when it ends in "/".
func NewResolver(endpoint *url.URL, opts ResolverOptions, logger *zap.Logger, metrics *Metrics) *Resolver {
	client := opts.Client
	if client == nil {
		client = defaultResolverClient()
	}
	if logger == nil {
		logger = zap.NewNop()
	}
	return &Resolver{
		packagesBase: endpoint.ResolveReference(&url.URL{Path: "artifacts/packages/"}),
		staticBase:   endpoint.ResolveReference(&url.URL{Path: "artifacts/static/"}),
		client:       client,
		logger:       logger,
		metrics:      metrics,
	}
}

func defaultResolverClient() *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = (&net.Dialer{Timeout: 20 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return &http.Client{Transport: transport}
}

func (r *Resolver) ServeArtifact(w http.ResponseWriter, req *http.Request, p *packages.Package) {
	r.relay(w, req, joinURL(r.packagesBase, p.Name+"-"+p.Version+".zip"), "artifacts")
}

func (r *Resolver) ServeSignature(w http.ResponseWriter, req *http.Request, p *packages.Package) {
	r.relay(w, req, joinURL(r.packagesBase, p.Name+"-"+p.Version+".zip.sig"), "signatures")
}

func (r *Resolver) ServeStatic(w http.ResponseWriter, req *http.Request, p *packages.Package, name string) {
	// Cleaning the path as rooted keeps "../" from leaving the package's
	// folder on the endpoint.
	clean := path.Clean("/" + name)
	if strings.HasSuffix(name, "/") && clean != "/" {
		clean += "/"
	}
	r.relay(w, req, joinURL(r.staticBase, p.Name+"-"+p.Version+clean), "statics")
}

// joinURL appends an unescaped relative path to a base URL whose path ends
// in "/". The path is escaped as a whole path, the way net/url escapes a
// path it resolves: "?", "#", "%", spaces and the like are escaped, but the
// sub-delimiters ";" and "," stay as they are, as in upstream's requests
// (escaping them segment by segment would ask the storage for another
// object name on endpoints that do not decode them).
func joinURL(base *url.URL, rel string) *url.URL {
	u := *base
	u.Path = base.Path + rel
	u.RawPath = base.EscapedPath() + (&url.URL{Path: rel}).EscapedPath()
	return &u
}

// relay asks the endpoint for the file with none of the client's headers
// or body, then passes the status and body through. Only GET and HEAD
// reach the endpoint: HEAD stays HEAD and every other method (POST, PUT,
// DELETE, TRACE…) is sent as GET, because the registry answers every
// method like GET for local packages (docs/api.md#routes), and the
// endpoint must never see a method that could change or reflect anything.
func (r *Resolver) relay(w http.ResponseWriter, req *http.Request, target *url.URL, component string) {
	method := http.MethodGet
	if req.Method == http.MethodHead {
		method = http.MethodHead
	}
	out, err := http.NewRequestWithContext(req.Context(), method, target.String(), nil)
	if err != nil {
		r.logger.Error("failed to create request for the package-storage", zap.String("url.full", target.String()), zap.Error(err))
		http.Error(w, "failed to create request for the package-storage", http.StatusInternalServerError)
		return
	}
	resp, err := r.client.Do(out)
	if err != nil {
		r.logger.Error("error from package-storage server", zap.String("url.full", target.String()), zap.Error(err))
		http.Error(w, "error from package-storage server", http.StatusInternalServerError)
		return
	}
	defer resp.Body.Close()
	r.metrics.remoteRequest(component)

	h := w.Header()
	for _, name := range relayedHeaders {
		if h.Get(name) != "" {
			continue
		}
		if v := resp.Header.Get(name); v != "" {
			h.Set(name, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	if _, err := io.Copy(w, resp.Body); err != nil {
		// The status is already sent; the client sees a truncated body.
		r.logger.Debug("relaying package-storage response failed", zap.String("url.full", target.String()), zap.Error(err))
	}
}
