// Package proxymode is the client side of proxy mode: the
// registry asks another registry for /search and /categories answers and for
// packages it does not have, and redirects file requests for those packages
// to it (or relays them, when -proxy-to carries credentials).
package proxymode

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/packages"
)

// Options tune a Client. The zero value gives upstream's behaviour.
type Options struct {
	// Logger receives the debug and retry lines; nil means no logging.
	Logger *zap.Logger
	// HTTPClient performs one attempt; nil means NewHTTPClient().
	HTTPClient *http.Client
	// Backoff is the retry schedule; the zero value means DefaultBackoff().
	Backoff Backoff
	// Sleep waits between attempts; nil leaves the wait to go-retryablehttp,
	// whose timer gives up when the request's context ends. Tests inject one
	// that records and returns.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used to read a Retry-After date; nil means time.Now.
	Now func() time.Time
}

// Client talks to the remote registry. It keeps no per-request state, so one
// Client serves all requests concurrently.
type Client struct {
	// remote holds only the scheme, user info and host of -proxy-to: any
	// path is dropped on purpose, for calls and redirects alike, as
	// upstream does.
	remote   url.URL
	retry    retrier
	logger   *zap.Logger
	resolver *Resolver
}

// New builds the client for the -proxy-to value. An empty value is accepted;
// every remote call then fails, as upstream starts with it too.
func New(proxyTo string, opts Options) (*Client, error) {
	u, err := url.Parse(proxyTo)
	if err != nil {
		return nil, fmt.Errorf("invalid -proxy-to URL: %w", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	remote := url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}
	retry := newRetrier(opts, logger)
	resolver := &Resolver{redirectBase: url.URL{Scheme: u.Scheme, Host: u.Host}}
	if u.User != nil {
		resolver.relay = newFileRelay(remote, retry.client, logger)
	}
	c := &Client{
		remote:   remote,
		retry:    retry,
		logger:   logger,
		resolver: resolver,
	}
	// The technical-preview line is the router's (server.NewRouter logs it
	// once the router is built, as upstream does), not logged here.
	return c, nil
}

// Search asks the remote registry the same /search request: same path, same
// raw query, unknown parameters included. The body is decoded whatever the
// status code, as upstream does: an error page that happens to be a JSON
// array is served as remote results. A remote package whose name or
// version could not be served (see packages.CheckIdentity) is left out with
// a warning.
func (c *Client) Search(r *http.Request) (packages.Packages, error) {
	target := c.forwardURL(r)
	c.logger.Debug("Proxy /search request", zap.String("request.uri", target.Redacted()))
	resp, err := c.retry.get(r.Context(), target)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	var decoded packages.Packages
	if err := json.NewDecoder(resp.Body).Decode(&decoded); err != nil {
		return nil, fmt.Errorf("decoding remote search response (status %d): %w", resp.StatusCode, err)
	}
	result := make(packages.Packages, 0, len(decoded))
	for _, p := range decoded {
		if p == nil {
			continue
		}
		if err := packages.CheckIdentity(p.Name, p.Version); err != nil {
			c.logger.Warn("ignoring remote package that cannot be served", zap.String("reason", err.Error()))
			continue
		}
		if err := c.initRemote(p); err != nil {
			return nil, fmt.Errorf("remote search response: package %s-%s: %w", p.Name, p.Version, err)
		}
		result = append(result, p)
	}
	return result, nil
}

// Categories asks the remote registry the same /categories request.
func (c *Client) Categories(r *http.Request) ([]packages.CategoryCount, error) {
	target := c.forwardURL(r)
	c.logger.Debug("Proxy /categories request", zap.String("request.uri", target.Redacted()))
	resp, err := c.retry.get(r.Context(), target)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	var cats []packages.CategoryCount
	if err := json.NewDecoder(resp.Body).Decode(&cats); err != nil {
		return nil, fmt.Errorf("decoding remote categories response (status %d): %w", resp.StatusCode, err)
	}
	return cats, nil
}

// Package fetches /package/<name>/<version>/ from the remote registry. It
// returns (nil, nil) when the remote answers 404, so that the caller answers
// its usual not-found, and without asking for a name no package can have.
// The remote document must name the package asked for: its name and
// version go into the URLs of its files. The package's Resolver answers
// file requests from the remote registry.
func (c *Client) Package(r *http.Request, name, version string) (*packages.Package, error) {
	if !packages.ValidName(name) {
		return nil, nil
	}
	target := c.remote
	target.Path = "/package/" + name + "/" + version + "/"
	c.logger.Debug("Proxy /package request", zap.String("request.uri", target.Redacted()))
	resp, err := c.retry.get(r.Context(), &target)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		discard(resp.Body)
		return nil, nil
	default:
		discard(resp.Body)
		return nil, fmt.Errorf("remote registry answered %d for package %s-%s", resp.StatusCode, name, version)
	}

	var p packages.Package
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return nil, fmt.Errorf("decoding remote package %s-%s: %w", name, version, err)
	}
	if err := c.initRemote(&p); err != nil {
		return nil, fmt.Errorf("remote package %s-%s: %w", name, version, err)
	}
	if p.Name != name || p.Version != version {
		return nil, fmt.Errorf("remote registry answered package %q version %q for %s-%s", p.Name, p.Version, name, version)
	}
	return &p, nil
}

// forwardURL is the remote address of an incoming request: the remote's
// scheme, user info and host with the request's own path and raw query.
func (c *Client) forwardURL(r *http.Request) *url.URL {
	u := c.remote
	u.Path = r.URL.Path
	u.RawPath = r.URL.RawPath
	u.RawQuery = r.URL.RawQuery
	return &u
}

// initRemote gives a decoded package what the handlers need to filter,
// reduce and serve it, like any other loader (docs/api.md describes the
// package document).
func (c *Client) initRemote(p *packages.Package) error {
	// Empty discovery lists are omitted on output; loaders keep nil then.
	if p.Discovery != nil && len(p.Discovery.Fields) == 0 && len(p.Discovery.Datasets) == 0 {
		p.Discovery = nil
	}
	if err := p.InitRuntime(); err != nil {
		return err
	}
	p.BasePath = ""
	p.IsZip = false
	p.Resolver = c.resolver
	return nil
}

// discard reads a little of an unused body so the connection can be reused.
func discard(body io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4096))
}
