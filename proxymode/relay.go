package proxymode

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/apmlite"
)

// relayStall bounds each wait of the file relay on the remote registry:
// for its response headers, then for every read of the body. The whole
// transfer has no bound (archives can be large and clients slow); writes
// to the client are bounded by the server's own write-stall deadline.
const relayStall = 30 * time.Second

// relayBufferSize is the size of one read from the remote body.
const relayBufferSize = 32 << 10

// forwardedRequestHeaders are the client's headers that change the answer
// of the file: a client following a redirect would send them to the remote
// registry itself. Nothing else is forwarded (no cookies, no
// Authorization: the remote's credentials are -proxy-to's).
var forwardedRequestHeaders = []string{"Range", "If-Range", "If-Modified-Since", "If-Unmodified-Since", "If-Match", "If-None-Match"}

// relayedResponseHeaders are the remote's headers that describe the file;
// the registry's own cache and CORS headers stay. Cookies and
// authentication challenges are never relayed.
var relayedResponseHeaders = []string{"Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "Last-Modified", "ETag"}

// fileRelay streams files of the remote registry through the registry when
// -proxy-to carries credentials, so that they never leave it.
type fileRelay struct {
	remote url.URL // with the user info
	client *http.Client
	logger *zap.Logger
	stall  time.Duration
}

// newFileRelay derives the relay's client from the client of the JSON
// calls: same transport and connection pool, no overall timeout, and the
// same-origin redirect rule.
func newFileRelay(remote url.URL, client *http.Client, logger *zap.Logger) *fileRelay {
	c := withRedirectPolicy(client, relayRedirect)
	c.Timeout = 0
	return &fileRelay{remote: remote, client: c, logger: logger, stall: relayStall}
}

// serve answers the request with the remote's answer for path: HEAD stays
// HEAD and every other method is sent as GET, as the local routes answer
// every method like GET. The body is streamed, never held.
func (f *fileRelay) serve(w http.ResponseWriter, r *http.Request, path string) {
	target := f.remote
	target.Path = path
	method := http.MethodGet
	if r.Method == http.MethodHead {
		method = http.MethodHead
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	// Armed while the relay waits on the remote, stopped while it writes
	// to the client.
	watchdog := time.AfterFunc(f.stall, cancel)
	defer watchdog.Stop()

	req, err := http.NewRequestWithContext(ctx, method, target.String(), nil)
	if err != nil {
		f.fail(w, r, &target, err)
		return
	}
	for _, name := range forwardedRequestHeaders {
		if v := r.Header.Values(name); len(v) > 0 {
			req.Header[name] = v
		}
	}
	// No transparent decompression: Content-Length and the bytes stay the
	// remote's.
	req.Header.Set("Accept-Encoding", "identity")
	span := apmlite.StartClientSpan(req)
	resp, err := f.client.Do(req)
	span.EndHTTP(resp, err)
	watchdog.Stop()
	if err != nil {
		f.fail(w, r, &target, err)
		return
	}
	defer resp.Body.Close()

	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		f.redirectElsewhere(w, r, resp, loc)
		return
	}
	copyHeaders(w.Header(), resp)
	w.WriteHeader(resp.StatusCode)
	if method == http.MethodHead {
		return
	}
	if err := f.copyBody(w, resp.Body, watchdog); err != nil {
		if r.Context().Err() != nil {
			// The client left; there is nobody to tell.
			return
		}
		f.logger.Warn("proxy mode: relaying remote file failed",
			append(apmlite.TraceFields(r.Context()), zap.String("url.full", target.Redacted()), zap.Error(err))...)
		// The status is sent: aborting keeps a chunked answer from ending
		// cleanly, so the client sees a failed download, not a short file.
		panic(http.ErrAbortHandler)
	}
}

// copyHeaders copies the remote headers that describe the file.
func copyHeaders(h http.Header, resp *http.Response) {
	for _, name := range relayedResponseHeaders {
		if v := resp.Header.Values(name); len(v) > 0 {
			h[name] = v
		}
	}
	if _, ok := h["Content-Type"]; !ok {
		// A nil value keeps net/http from sniffing a type the remote did
		// not give.
		h["Content-Type"] = nil
	}
}

// redirectElsewhere answers a redirect the relay did not follow (see
// relayRedirect) with its target as an absolute URL without user info: the
// client would have met the same redirect following the registry's 301.
// Neither the remote's Location nor its body, which may name the
// credentials, goes back as it came.
func (f *fileRelay) redirectElsewhere(w http.ResponseWriter, r *http.Request, resp *http.Response, loc string) {
	u, err := resp.Request.URL.Parse(loc)
	if err != nil {
		f.fail(w, r, resp.Request.URL, err)
		return
	}
	u.User = nil
	http.Redirect(w, r, u.String(), resp.StatusCode)
}

// copyBody streams body to w. It returns the error of reading the remote
// body; a failed write to the client just ends the copy.
func (f *fileRelay) copyBody(w io.Writer, body io.Reader, watchdog *time.Timer) error {
	buf := make([]byte, relayBufferSize)
	for {
		watchdog.Reset(f.stall)
		n, err := body.Read(buf)
		watchdog.Stop()
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// fail answers a remote that could not be reached like any other failure
// of the proxied registry: 500 without cache headers, since the next
// request may well succeed.
func (f *fileRelay) fail(w http.ResponseWriter, r *http.Request, target *url.URL, err error) {
	redactURLError(err)
	f.logger.Error("proxy mode: file failed",
		append(apmlite.TraceFields(r.Context()), zap.String("url.full", target.Redacted()), zap.Error(err))...)
	w.Header().Del("Cache-Control")
	http.Error(w, "internal server error", http.StatusInternalServerError)
}
