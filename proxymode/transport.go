package proxymode

import (
	"net"
	"net/http"
	"runtime"
	"time"
)

// attemptTimeout bounds one attempt, body included; retries get their own.
const attemptTimeout = 10 * time.Second

// NewHTTPClient is the client for one attempt: a pooled transport so that
// the many small requests to the same registry reuse connections, and the
// Go default of following redirects.
func NewHTTPClient() *http.Client {
	return &http.Client{
		Timeout:   attemptTimeout,
		Transport: pooledTransport(),
	}
}

func pooledTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   runtime.GOMAXPROCS(0) + 1,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}
