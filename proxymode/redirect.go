package proxymode

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// maxRedirects is Go's own limit on a redirect chain.
const maxRedirects = 10

// redirectRefusedError is a redirect of the remote registry to another
// scheme or host: not followed, because what the registry merges into its
// own answers, and the credentials of -proxy-to, are only for the remote
// the operator configured. Keeping the scheme also keeps -proxy-to's
// HTTPS rule for every hop.
type redirectRefusedError struct {
	from, to string // redacted
}

func (e *redirectRefusedError) Error() string {
	return fmt.Sprintf("redirect from %s to %s refused: only redirects to the same scheme and host are followed", e.from, e.to)
}

// sameOrigin tells whether two URLs have the same scheme and host (port
// included).
func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && strings.EqualFold(a.Host, b.Host)
}

// checkRedirect is the redirect policy of every call to the remote
// registry: a redirect is followed only to the scheme and host of the first
// request, at most maxRedirects times.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if first := via[0].URL; !sameOrigin(req.URL, first) {
		return &redirectRefusedError{from: first.Redacted(), to: req.URL.Redacted()}
	}
	return nil
}

// relayRedirect is the redirect policy of the file relay: the same rule,
// but a redirect elsewhere ends the call with the redirect itself, which
// the relay hands to its client without credentials (the client would have
// met the same redirect following the registry's own 301).
func relayRedirect(req *http.Request, via []*http.Request) error {
	err := checkRedirect(req, via)
	if _, refused := errors.AsType[*redirectRefusedError](err); refused {
		return http.ErrUseLastResponse
	}
	return err
}

// withRedirectPolicy returns a copy of c that applies policy; the caller's
// client is left as it is.
func withRedirectPolicy(c *http.Client, policy func(*http.Request, []*http.Request) error) *http.Client {
	cp := *c
	cp.CheckRedirect = policy
	return &cp
}

// redactURLError masks the password of the URL an *url.Error names: for
// a refused redirect net/http puts the remote's Location there as it came,
// user info included.
func redactURLError(err error) {
	ue, ok := errors.AsType[*url.Error](err)
	if !ok {
		return
	}
	if u, perr := url.Parse(ue.URL); perr == nil {
		ue.URL = u.Redacted()
	} else {
		ue.URL = "(unparsable URL)"
	}
}
