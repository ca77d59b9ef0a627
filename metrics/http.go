package metrics

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// httpLabels partition the HTTP metrics. promhttp fills code and method;
// path is curried per route.
var httpLabels = []string{"code", "method", "path"}

// Middleware instruments the routed requests of the main server:
// epr_in_flight_requests and the epr_http_* metrics, labelled with the
// route template that routeTemplate returns for a request (the server's
// server.RouteTemplate). It belongs inside the router, where the matched
// route is known, so unmatched 404s are never counted, as upstream's are not
// (docs/operations.md, "Metrics").
// Nil when m is nil, which server.Options reads as "no instrumentation".
func (m *Metrics) Middleware(routeTemplate func(*http.Request) string) func(http.Handler) http.Handler {
	if m == nil {
		return nil
	}
	return func(next http.Handler) http.Handler {
		// promhttp checks the labels of a collector each time it wraps a
		// handler, which is far too slow per request; the templates are a
		// small fixed set, so each gets its instrumented chain once.
		var chains sync.Map // route template → http.Handler
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			path := routeTemplate(r)
			h, ok := chains.Load(path)
			if !ok {
				h, _ = chains.LoadOrStore(path, m.instrumentRoute(path, next))
			}
			h.(http.Handler).ServeHTTP(w, r)
		})
	}
}

// instrumentRoute wraps next with promhttp's instrumentation, the path
// label fixed to the route template. promhttp lower-cases the standard
// methods and reports any other as "unknown", as upstream's labels show.
func (m *Metrics) instrumentRoute(path string, next http.Handler) http.Handler {
	labels := prometheus.Labels{"path": path}
	h := promhttp.InstrumentHandlerResponseSize(m.responseSize.MustCurryWith(labels), next)
	h = promhttp.InstrumentHandlerRequestSize(m.requestSize.MustCurryWith(labels), h)
	h = promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(labels), h)
	h = promhttp.InstrumentHandlerDuration(m.duration.MustCurryWith(labels), h)
	return promhttp.InstrumentHandlerInFlight(m.inFlight, h)
}

// Handler is the metrics listener's whole handler: exactly /metrics in the
// Prometheus exposition format, a plain 404 for anything else (/metrics/
// included). promhttp's own promhttp_metric_handler_* metrics are part of
// it, as with upstream's promhttp.Handler().
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.InstrumentMetricHandler(m.registry,
		promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})))
	return mux
}
