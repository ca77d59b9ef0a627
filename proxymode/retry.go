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

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
)

// Backoff is the retry schedule of the outgoing client.
type Backoff struct {
	// MaxRetries is the number of attempts after the first one.
	MaxRetries int
	// Min is the first wait; each further wait doubles, up to Max.
	Min time.Duration
	Max time.Duration
}

// DefaultBackoff is upstream's schedule: 4 retries waiting 1, 2, 4 and 8 s
// (operations.md §9.2).
func DefaultBackoff() Backoff {
	return Backoff{MaxRetries: 4, Min: time.Second, Max: 15 * time.Second}
}

// wait is how long to wait after the attempt numbered attempt (from 0)
// failed. A Retry-After header on 429 and 503 wins over the schedule.
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
	if d > b.Max {
		d = b.Max
	}
	return d
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

// retrier performs GET requests with upstream's retry rules.
type retrier struct {
	client  *http.Client
	backoff Backoff
	sleep   func(ctx context.Context, d time.Duration) error
	now     func() time.Time
	logger  *zap.Logger
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
	if r.backoff == (Backoff{}) {
		r.backoff = DefaultBackoff()
	}
	if r.sleep == nil {
		r.sleep = sleepContext
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
	var (
		resp    *http.Response
		lastErr error
		tries   int
	)
	for attempt := 0; ; attempt++ {
		tries++
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
		if err != nil {
			return nil, err
		}
		// With APM on, each attempt is an exit span and carries the
		// trace context to the remote registry.
		span := apmlite.StartClientSpan(req)
		resp, lastErr = r.client.Do(req)
		span.EndHTTP(resp, lastErr)
		if lastErr != nil {
			r.logger.Error("request failed", append(apmlite.TraceFields(ctx), zap.Error(lastErr))...)
		}
		retry, err := shouldRetry(ctx, resp, lastErr)
		if !retry {
			if err != nil {
				closeBody(resp)
				return nil, err
			}
			return resp, nil
		}

		remaining := r.backoff.MaxRetries - attempt
		if remaining <= 0 {
			break
		}
		wait := r.backoff.wait(attempt, resp, r.now())
		desc := "GET " + target.Redacted()
		if resp != nil {
			desc = fmt.Sprintf("%s (status: %d)", desc, resp.StatusCode)
		}
		closeBody(resp)
		r.logger.Debug("retrying request",
			zap.String("request", desc),
			zap.Int64("timeout", int64(wait)),
			zap.Int("remaining", remaining))
		if err := r.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}

	closeBody(resp)
	if lastErr != nil {
		return nil, fmt.Errorf("GET %s giving up after %d attempt(s): %w", target.Redacted(), tries, lastErr)
	}
	return nil, fmt.Errorf("GET %s giving up after %d attempt(s)", target.Redacted(), tries)
}

// shouldRetry is upstream's retry policy (operations.md §9.2). A non-nil
// error with false means the attempt failed for good.
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
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		return true, nil
	case code >= 500 && code != http.StatusNotImplemented:
		return true, nil
	case code >= 200 && code < 300:
		// A success that is not JSON is taken for a broken intermediary
		// (a captive portal, an HTML error page) and asked again.
		return !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"), nil
	}
	return false, nil
}

// permanent tells the client errors that another attempt cannot fix: a bad
// URL (an empty -proxy-to gives no scheme), a redirect loop, an invalid
// header or an untrusted certificate.
func permanent(err error) bool {
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

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
