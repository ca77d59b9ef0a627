package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/server"
)

// testRouter routes like the real server: gorilla/mux with StrictSlash and
// the server's route templates, the metrics middleware inside the router.
// Handlers answer a fixed body so sizes are predictable.
func testRouter(t *testing.T, m *Metrics, block <-chan struct{}, entered chan<- struct{}) http.Handler {
	t.Helper()
	r := mux.NewRouter().StrictSlash(true)
	body := func(s string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, s) }
	}
	r.Handle(server.RouteSearch, body("[]"))
	r.Handle(server.RouteHealth, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r.Handle(server.RouteArtifact, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "package not found", http.StatusNotFound)
	}))
	r.Handle(server.RoutePackageIndex, body(`{"name":"x"}`))
	r.Handle("/slow", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		entered <- struct{}{}
		<-block
	}))
	r.Use(m.Middleware(server.RouteTemplate))
	return r
}

func do(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestHTTPMetricsLabels(t *testing.T) {
	m := New()
	h := testRouter(t, m, nil, nil)

	requests := []struct {
		method, target string
		status         int
	}{
		{"GET", "/search", 200},
		{"GET", "/search?package=nginx", 200},
		{"HEAD", "/search", 200},
		{"PURGE", "/search", 200},
		{"GET", "/search/", 301}, // StrictSlash redirect, counted under /search
		{"GET", "/health", 200},
		{"OPTIONS", "/health", 200},
		{"GET", "/epr/nginx/nginx-1.0.0.zip", 404},
		{"GET", "/epr/package/nginx-1.0.0.zip", 404},
		{"GET", "/package/nginx/1.0.0/", 200},
		{"GET", "/no/such/route", 404}, // unmatched: no metrics at all
	}
	for _, r := range requests {
		if got := do(t, h, r.method, r.target).Code; got != r.status {
			t.Fatalf("%s %s: status %d, want %d", r.method, r.target, got, r.status)
		}
	}

	want := map[string]float64{
		`code="200",method="get",path="/search"`:                                                          2,
		`code="200",method="head",path="/search"`:                                                         1,
		`code="200",method="unknown",path="/search"`:                                                      1,
		`code="301",method="get",path="/search"`:                                                          1,
		`code="200",method="get",path="/health"`:                                                          1,
		`code="200",method="options",path="/health"`:                                                      1,
		`code="404",method="get",path="/epr/{packageName}/{packageName:[a-z0-9_]+}-{packageVersion}.zip"`: 2,
		`code="200",method="get",path="/package/{packageName:[a-z0-9_]+}/{packageVersion}/"`:              1,
	}
	if got := counterValues(t, m, "epr_http_requests_total"); !equalMaps(got, want) {
		t.Errorf("epr_http_requests_total:\n got %v\nwant %v", got, want)
	}
	// The histograms see the same requests with the same labels.
	for _, name := range []string{"epr_http_request_duration_seconds", "epr_http_request_size_bytes", "epr_http_response_size_bytes"} {
		if got := histogramCounts(t, m, name); !equalMaps(got, want) {
			t.Errorf("%s sample counts:\n got %v\nwant %v", name, got, want)
		}
	}
}

func TestHTTPMetricsSizes(t *testing.T) {
	m := New()
	h := testRouter(t, m, nil, nil)
	do(t, h, "GET", "/package/nginx/1.0.0/")
	do(t, h, "GET", "/package/nginx/1.1.0/")

	const labels = `code="200",method="get",path="/package/{packageName:[a-z0-9_]+}/{packageVersion}/"`
	// Each answer is {"name":"x"}: 12 bytes.
	if got := histogramSums(t, m, "epr_http_response_size_bytes")[labels]; got != 24 {
		t.Errorf("response size sum = %v, want 24", got)
	}
	// promhttp's approximation: URL, method, proto, headers, host.
	if got := histogramSums(t, m, "epr_http_request_size_bytes")[labels]; got <= 0 {
		t.Errorf("request size sum = %v, want > 0", got)
	}
}

func TestInFlightGauge(t *testing.T) {
	m := New()
	block := make(chan struct{})
	entered := make(chan struct{})
	h := testRouter(t, m, block, entered)

	done := make(chan struct{})
	go func() {
		defer close(done)
		do(t, h, "GET", "/slow")
	}()
	<-entered
	if got := testutil.ToFloat64(m.inFlight); got != 1 {
		t.Errorf("epr_in_flight_requests during the request = %v, want 1", got)
	}
	close(block)
	<-done
	if got := testutil.ToFloat64(m.inFlight); got != 0 {
		t.Errorf("epr_in_flight_requests after the request = %v, want 0", got)
	}
}

// TestMetricDescriptions pins names, types, help texts, label names and
// buckets to upstream's: dashboards built for upstream must keep working.
func TestMetricDescriptions(t *testing.T) {
	m := New()
	// Vectors only show up once they have a child.
	m.SetServiceInfo("1.40.1", "host")
	m.CountStorageRequest("local", "artifacts")
	m.ObserveIndexerGet("FileSystemIndexer", time.Millisecond)
	m.StorageUpdateSucceeded()
	m.StorageUpdateFailed()
	m.ObserveStorageUpdate(time.Millisecond)
	m.SetIndexedPackages(3)
	h := testRouter(t, m, nil, nil)
	do(t, h, "GET", "/search")

	defBuckets := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	sizes := []float64{16, 32, 64, 128, 256, 512, 1024, 65536, 262144}
	tests := []struct {
		name    string
		typ     dto.MetricType
		help    string
		labels  []string
		buckets []float64
	}{
		{"epr_service_info", dto.MetricType_GAUGE, "Version information about this binary.", []string{"instance", "version"}, nil},
		{"epr_number_indexed_packages", dto.MetricType_GAUGE, "A gauge for number of indexed packages.", nil, nil},
		{"epr_storage_requests_total", dto.MetricType_COUNTER, "A counter for requests performed to the storage.", []string{"component", "location"}, nil},
		{"epr_storage_indexer_update_index_success_total", dto.MetricType_COUNTER, "A counter for all the updates index of the cursor that finished successfully in the storage indexer.", nil, nil},
		{"epr_storage_indexer_update_index_error_total", dto.MetricType_COUNTER, "A counter for all the update index of the cursor that finished with error in the storage indexer.", nil, nil},
		{"epr_storage_indexer_update_index_duration_seconds", dto.MetricType_HISTOGRAM, "A histogram of latencies for update index processes run by the storage indexer.", nil, defBuckets},
		{"epr_indexer_get_duration_seconds", dto.MetricType_HISTOGRAM, "A histogram of latencies for get processes run by the indexer.", []string{"indexer"}, defBuckets},
		{"epr_in_flight_requests", dto.MetricType_GAUGE, "A gauge of requests currently being served by the http server.", nil, nil},
		{"epr_http_requests_total", dto.MetricType_COUNTER, "A counter for requests to the http server.", []string{"code", "method", "path"}, nil},
		{"epr_http_request_duration_seconds", dto.MetricType_HISTOGRAM, "A histogram of latencies for requests to the http server.", []string{"code", "method", "path"}, defBuckets},
		{"epr_http_request_size_bytes", dto.MetricType_HISTOGRAM, "A histogram of sizes of requests to the http server.", []string{"code", "method", "path"}, sizes},
		{"epr_http_response_size_bytes", dto.MetricType_HISTOGRAM, "A histogram of response sizes for requests to the http server.", []string{"code", "method", "path"}, sizes},
	}
	families := gather(t, m)
	var eprNames []string
	for name := range families {
		if strings.HasPrefix(name, "epr_") {
			eprNames = append(eprNames, name)
		}
	}
	if len(eprNames) != len(tests) {
		sort.Strings(eprNames)
		t.Errorf("epr_* metrics = %v, want the %d of the table", eprNames, len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := families[tc.name]
			if !ok {
				t.Fatalf("metric not exposed")
			}
			if f.GetType() != tc.typ {
				t.Errorf("type %v, want %v", f.GetType(), tc.typ)
			}
			if f.GetHelp() != tc.help {
				t.Errorf("help %q, want %q", f.GetHelp(), tc.help)
			}
			metric := f.GetMetric()[0]
			var labels []string
			for _, l := range metric.GetLabel() {
				labels = append(labels, l.GetName())
			}
			if strings.Join(labels, ",") != strings.Join(tc.labels, ",") {
				t.Errorf("labels %v, want %v", labels, tc.labels)
			}
			if tc.buckets != nil {
				var bounds []float64
				for _, b := range metric.GetHistogram().GetBucket() {
					bounds = append(bounds, b.GetUpperBound())
				}
				if !equalFloats(bounds, tc.buckets) {
					t.Errorf("buckets %v, want %v", bounds, tc.buckets)
				}
			}
		})
	}
}

func TestStorageHooks(t *testing.T) {
	m := New()
	m.CountStorageRequest("local", "artifacts")
	m.CountStorageRequest("local", "artifacts")
	m.CountStorageRequest("local", "statics")
	m.CountRemoteStorageRequest("signatures")
	m.StorageUpdateSucceeded()
	m.StorageUpdateFailed()
	m.StorageUpdateFailed()
	m.ObserveStorageUpdate(20 * time.Millisecond)
	m.SetIndexedPackages(42)

	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{"local artifacts", testutil.ToFloat64(m.storageRequests.WithLabelValues("local", "artifacts")), 2},
		{"local statics", testutil.ToFloat64(m.storageRequests.WithLabelValues("local", "statics")), 1},
		{"remote signatures", testutil.ToFloat64(m.storageRequests.WithLabelValues("remote", "signatures")), 1},
		{"success", testutil.ToFloat64(m.updateSuccess), 1},
		{"error", testutil.ToFloat64(m.updateError), 2},
		{"indexed packages", testutil.ToFloat64(m.indexedPackages), 42},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if n := histogramCounts(t, m, "epr_storage_indexer_update_index_duration_seconds")[""]; n != 1 {
		t.Errorf("update duration samples = %v, want 1", n)
	}
}

func TestInstrumentIndexer(t *testing.T) {
	m := New()
	fsi := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{t.TempDir()}})
	idx := m.InstrumentIndexer(fsi.Name(), fsi)
	ctx := context.Background()
	if err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := idx.Get(ctx, &indexer.GetOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	got := histogramCounts(t, m, "epr_indexer_get_duration_seconds")
	if want := map[string]float64{`indexer="FileSystemIndexer"`: 3}; !equalMaps(got, want) {
		t.Errorf("get duration samples = %v, want %v", got, want)
	}
}

func TestNilMetricsIsOff(t *testing.T) {
	var m *Metrics
	m.SetServiceInfo("v", "i")
	m.SetIndexedPackages(1)
	m.CountStorageRequest("local", "artifacts")
	m.CountRemoteStorageRequest("statics")
	m.StorageUpdateSucceeded()
	m.StorageUpdateFailed()
	m.ObserveStorageUpdate(time.Second)
	m.ObserveIndexerGet("x", time.Second)
	if m.Middleware(server.RouteTemplate) != nil {
		t.Error("nil metrics must give no middleware")
	}
	fsi := indexer.NewFileSystemIndexer(indexer.FSOptions{})
	if got := m.InstrumentIndexer("x", fsi); got != indexer.Indexer(fsi) {
		t.Error("nil metrics must not wrap the indexer")
	}
}

func TestHandlerServesOnlyMetrics(t *testing.T) {
	m := New()
	m.SetServiceInfo("1.40.1", "registry-1")
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	for _, path := range []string{"/metrics/", "/", "/debug/pprof/", "/metricsx"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
	}

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	text := string(b)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		"# HELP epr_service_info Version information about this binary.\n",
		"# TYPE epr_service_info gauge\n",
		`epr_service_info{instance="registry-1",version="1.40.1"} 1` + "\n",
		"epr_number_indexed_packages 0\n",
		"epr_in_flight_requests 0\n",
		"\ngo_goroutines ",
		"\nprocess_",
		"\npromhttp_metric_handler_requests_in_flight 1\n",
		"promhttp_metric_handler_requests_total{code=\"200\"} 0\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func gather(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]*dto.MetricFamily, len(mfs))
	for _, f := range mfs {
		out[f.GetName()] = f
	}
	return out
}

// labelKey renders a metric's labels as `a="x",b="y"` (sorted by name, as
// Gather returns them).
func labelKey(metric *dto.Metric) string {
	var parts []string
	for _, l := range metric.GetLabel() {
		parts = append(parts, l.GetName()+`="`+l.GetValue()+`"`)
	}
	return strings.Join(parts, ",")
}

func counterValues(t *testing.T, m *Metrics, name string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	if f, ok := gather(t, m)[name]; ok {
		for _, metric := range f.GetMetric() {
			out[labelKey(metric)] = metric.GetCounter().GetValue()
		}
	}
	return out
}

func histogramCounts(t *testing.T, m *Metrics, name string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	if f, ok := gather(t, m)[name]; ok {
		for _, metric := range f.GetMetric() {
			out[labelKey(metric)] = float64(metric.GetHistogram().GetSampleCount())
		}
	}
	return out
}

func histogramSums(t *testing.T, m *Metrics, name string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	if f, ok := gather(t, m)[name]; ok {
		for _, metric := range f.GetMetric() {
			out[labelKey(metric)] = metric.GetHistogram().GetSampleSum()
		}
	}
	return out
}

func equalMaps(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
