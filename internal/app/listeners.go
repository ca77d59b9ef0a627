package app

import (
	"context"
	"crypto/tls"
	"errors"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"
)

// Timeouts of every listener. Upstream sets none, so a client can hold a
// connection (and a goroutine) forever by sending headers slowly or by not
// reading its answer. They are chosen so that no legitimate client, even a
// slow one downloading a large package, is cut off (docs/operations.md,
// "Server timeouts").
const (
	// readHeaderTimeout bounds the wait for the request headers
	// (slowloris).
	readHeaderTimeout = 10 * time.Second
	// readTimeout bounds reading a whole request. No listener reads
	// bodies, so this only limits clients that trickle one in.
	readTimeout = time.Minute
	// idleTimeout closes keep-alive connections with no request.
	idleTimeout = 2 * time.Minute
	// metricsWriteTimeout bounds writing one /metrics answer, which is
	// small. The main listener has the write-stall deadline instead (long
	// downloads), and the profiler none: pprof refuses profiles longer
	// than its server's WriteTimeout.
	metricsWriteTimeout = time.Minute
	// writeStallTimeout closes a main-listener connection whose client has
	// not accepted any answer data for this long. It is a timeout on
	// progress, applied by the router (server.Options.WriteStallTimeout):
	// http.Server's WriteTimeout would be an absolute deadline, which a
	// large zip over a slow link can always exceed.
	writeStallTimeout = time.Minute
)

// hardenServer applies the timeouts above.
func hardenServer(srv *http.Server) {
	srv.ReadHeaderTimeout = readHeaderTimeout
	srv.ReadTimeout = readTimeout
	srv.IdleTimeout = idleTimeout
}

// listeners are the process's HTTP servers: the main one and, when
// configured, the metrics and profiler ones. They are shut down together.
type listeners struct {
	errorLog *log.Logger
	main     *http.Server
	others   []*http.Server
	// failures receives the serving errors that happen after a listener
	// was bound; they are as fatal as bind errors.
	failures chan error
}

func newListeners(errorLog *log.Logger) *listeners {
	// One slot per server: a failing server never blocks.
	return &listeners{errorLog: errorLog, failures: make(chan error, 3)}
}

// tlsFiles turn a listener into HTTPS.
type tlsFiles struct {
	cert, key  string
	minVersion uint16
}

// start binds addr and serves srv in the background (TLS when tlsCfg is
// set); srv.Addr becomes the bound address. A bind error, and later any
// serving error, is a *StartupError with message failed.
func (ls *listeners) start(addr string, srv *http.Server, tlsCfg *tlsFiles, failed string) error {
	srv.ErrorLog = ls.errorLog
	hardenServer(srv)
	if tlsCfg != nil {
		srv.TLSConfig = &tls.Config{MinVersion: tlsCfg.minVersion}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return failure(failed, err)
	}
	// The bound address: with port 0, the one the system chose.
	srv.Addr = ln.Addr().String()
	go func() {
		var err error
		if tlsCfg != nil {
			err = srv.ServeTLS(ln, tlsCfg.cert, tlsCfg.key)
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			ls.failures <- failure(failed, err)
		}
	}()
	return nil
}

// startMain starts the main listener.
func (ls *listeners) startMain(addr string, handler http.Handler, tlsCfg *tlsFiles) error {
	srv := &http.Server{Handler: handler}
	if err := ls.start(addr, srv, tlsCfg, "error occurred while serving"); err != nil {
		return err
	}
	ls.main = srv
	return nil
}

// startMetrics starts the Prometheus listener.
func (ls *listeners) startMetrics(addr string, handler http.Handler) error {
	srv := &http.Server{Handler: handler, WriteTimeout: metricsWriteTimeout}
	if err := ls.start(addr, srv, nil, "failed to start Prometheus metrics endpoint"); err != nil {
		return err
	}
	ls.others = append(ls.others, srv)
	return nil
}

// startProfiler serves net/http/pprof on its own listener and mux, never
// on the main port: profiles expose internals and cost CPU.
func (ls *listeners) startProfiler(addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux}
	if err := ls.start(addr, srv, nil, "failed to start HTTP profiler"); err != nil {
		return err
	}
	ls.others = append(ls.others, srv)
	return nil
}

// shutdown stops every listener gracefully and at the same time; only the
// main server's failure to finish in time is an error. The metrics and
// profiler servers are closed when they have not finished by then (a
// profile in progress): upstream does not wait for them at all.
func (ls *listeners) shutdown(ctx context.Context) error {
	// The other servers get as long as the main one takes, no longer.
	othersCtx, stopOthers := context.WithCancel(ctx)
	defer stopOthers()
	var wg sync.WaitGroup
	for _, srv := range ls.others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if srv.Shutdown(othersCtx) != nil {
				_ = srv.Close()
			}
		}()
	}
	var err error
	if ls.main != nil {
		if err = ls.main.Shutdown(ctx); err != nil {
			_ = ls.main.Close()
		}
	}
	stopOthers()
	wg.Wait()
	return err
}

// close stops every listener at once (fatal paths).
func (ls *listeners) close() {
	for _, srv := range append([]*http.Server{ls.main}, ls.others...) {
		if srv != nil {
			_ = srv.Close()
		}
	}
}
