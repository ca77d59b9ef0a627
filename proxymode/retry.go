package proxymode

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
)

// attemptTimeout bounds one attempt, body included; retries get their own.
const attemptTimeout = 10 * time.Second

// NewHTTPClient is the client for one attempt: cleanhttp's pooled transport
// (100 idle connections, 90 s idle timeout) so that the many small requests
// to the same registry reuse connections, and redirects followed only to
// the same scheme and host (checkRedirect).
func NewHTTPClient() *http.Client {
	c := cleanhttp.DefaultPooledClient()
	c.Timeout = attemptTimeout
	c.CheckRedirect = checkRedirect
	return c
}

// Backoff is the retry schedule of the outgoing client.
type Backoff struct {
	// MaxRetries is the number of attempts after the first one.
	MaxRetries int
	// Min is the first wait; each further wait doubles, up to Max.
	Min time.Duration
	Max time.Duration
}

// DefaultBackoff is upstream's schedule: 4 retries waiting 1, 2, 4 and 8 s,
// about 15 s in all before a dead remote gives a 500.
func DefaultBackoff() Backoff {
	return Backoff{MaxRetries: 4, Min: time.Second, Max: 15 * time.Second}
}

// wait is how long to wait after the attempt numbered attempt (from 0)
// failed. A Retry-After header on 429 and 503 wins over the schedule.
// go-retryablehttp's DefaultBackoff is close, but it reads one of the three
// HTTP date formats only, and against the wall clock, which tests cannot set.
func (b Backoff) wait(attempt int, resp *http.Response, now time.Time) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok {
			return d
		}
	}
	d := b.Min
	for i := 0; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// retryAfter reads a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// retrier performs GET requests through go-retryablehttp, which owns the
// loop: counting attempts, draining bodies, waiting, giving up.
type retrier struct {
	client  *http.Client
	backoff Backoff
	// sleep, when set, replaces the library's timer (tests record the waits
	// and return at once); nil leaves the waiting to the library.
	sleep  func(ctx context.Context, d time.Duration) error
	now    func() time.Time
	logger *zap.Logger
}

func newRetrier(opts Options, logger *zap.Logger) retrier {
	r := retrier{
		client:  opts.HTTPClient,
		backoff: opts.Backoff,
		sleep:   opts.Sleep,
		now:     opts.Now,
		logger:  logger,
	}
	if r.client == nil {
		r.client = NewHTTPClient()
	}
	// The redirect rule holds for a client passed in too.
	r.client = withRedirectPolicy(r.client, checkRedirect)
	if r.backoff == (Backoff{}) {
		r.backoff = DefaultBackoff()
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// get sends a bare GET: no header of the incoming request is forwarded
// (with APM on, only the trace context of ctx is sent along). On
// success the caller owns the response body. When every attempt fails it
// returns an error and no response.
func (r retrier) get(ctx context.Context, target *url.URL) (*http.Response, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return nil, err
	}
	c := &call{retrier: r, ctx: ctx, desc: "GET " + target.Redacted()}
	client := &retryablehttp.Client{
		HTTPClient:   r.client,
		RetryMax:     r.backoff.MaxRetries,
		RetryWaitMin: r.backoff.Min,
		RetryWaitMax: r.backoff.Max,
		// The library's own logger stays off: its lines carry method and url
		// fields and a "performing request" line the registry never logged,
		// and they cannot carry the request's trace ids. The hooks below log
		// the two lines the registry always had.
		Logger:         nil,
		RequestLogHook: c.start,
		CheckRetry:     c.check,
		Backoff:        c.pause,
		PrepareRetry:   func(*http.Request) error { return c.final },
		ErrorHandler:   c.giveUp,
	}
	return client.Do(req)
}

// call is the state of one get across its attempts.
type call struct {
	retrier
	ctx  context.Context
	desc string // "GET <url>" with any password masked
	// span is the APM exit span of the attempt under way.
	span *apmlite.Span
	// final is an error that ends the call as it is, with no "giving up"
	// wrapping: a permanent failure or the end of the request's context.
	final error
}

// start makes each attempt an exit span that carries the trace context to
// the remote registry (with APM on).
func (c *call) start(_ retryablehttp.Logger, req *http.Request, _ int) {
	c.span = apmlite.StartClientSpan(req)
}

// check ends the attempt's span, logs a failed attempt and applies the
// retry policy.
func (c *call) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	c.span.EndHTTP(resp, err)
	c.span = nil
	if err != nil {
		redactURLError(err)
		c.logger.Error("request failed", append(apmlite.TraceFields(c.ctx), zap.Error(err))...)
	}
	retry, final := shouldRetry(ctx, resp, err)
	c.final = final
	return retry, final
}

// pause logs the retry line and tells the library how long to wait.
func (c *call) pause(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
	wait := c.backoff.wait(attempt, resp, c.now())
	desc := c.desc
	if resp != nil {
		desc = fmt.Sprintf("%s (status: %d)", desc, resp.StatusCode)
	}
	c.logger.Debug("retrying request",
		zap.String("request", desc),
		zap.Int64("timeout", int64(wait)),
		zap.Int("remaining", c.backoff.MaxRetries-attempt))
	if c.sleep == nil {
		return wait
	}
	// An injected sleep has waited already; its error ends the call
	// through PrepareRetry.
	c.final = c.sleep(c.ctx, wait)
	return 0
}

// giveUp shapes the error of a failed call: a final error as it is, else
// the library's "giving up" text naming the number of attempts.
func (c *call) giveUp(resp *http.Response, err error, tries int) (*http.Response, error) {
	closeBody(resp)
	switch {
	case c.final != nil:
		return nil, c.final
	case err != nil:
		return nil, fmt.Errorf("%s giving up after %d attempt(s): %w", c.desc, tries, err)
	}
	return nil, fmt.Errorf("%s giving up after %d attempt(s)", c.desc, tries)
}

// shouldRetry is upstream's retry policy: go-retryablehttp's default for
// statuses (429, and 5xx but 501), with a response carrying Location final
// and a 2xx that is not JSON retried. A non-nil error means the call failed
// for good.
func shouldRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if err != nil {
		if permanent(err) {
			return false, err
		}
		return true, nil
	}
	if resp.Header.Get("Location") != "" {
		return false, nil
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// A success that is not JSON is taken for a broken intermediary
		// (a captive portal, an HTML error page) and asked again.
		return !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"), nil
	}
	retry, _ := retryablehttp.DefaultRetryPolicy(ctx, resp, nil)
	return retry, nil
}

// permanent tells the client errors that another attempt cannot fix: a bad
// URL (an empty -proxy-to gives no scheme, "http://" no host), a redirect
// loop or one to another scheme or host, an invalid header or an untrusted
// certificate. The library's policy would retry the missing host five
// times.
func permanent(err error) bool {
	if _, refused := errors.AsType[*redirectRefusedError](err); refused {
		return true
	}
	var unknownAuthority x509.UnknownAuthorityError
	if errors.As(err, &unknownAuthority) {
		return true
	}
	var verification *tls.CertificateVerificationError
	if errors.As(err, &verification) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"unsupported protocol scheme", "stopped after", "invalid header", "no Host in request URL"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func closeBody(resp *http.Response) {
	if resp != nil && resp.Body != nil {
		discard(resp.Body)
		resp.Body.Close()
	}
}
