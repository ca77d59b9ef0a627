package main

import (
	"math/rand"
	"net/http"
	"net/url"
	"strings"
)

// hostileEvery is the share of hostile requests: one in 50.
const hostileEvery = 50

// A hostile request: the raw request target (sent byte for byte, not
// cleaned by the client), an optional Range header, and the answers the
// registry documents for it (docs/security.md): a 4xx, a 301 to the
// cleaned path for traversal, the whole file or a 206 for a Range header
// that is ignored or honoured. Never a 5xx, never a hang.
type hostileReq struct {
	kind   string
	target string
	rng    string
	want   []int
}

var (
	traversalWant = []int{301, 400, 404}
	rangeWant     = []int{200, 206, 416}
	queryWant     = []int{400}
	// A malformed escape drops that parameter (net/url's rule, upstream's
	// answer): the rest of the query is answered.
	escapeWant  = []int{200, 400}
	missingWant = []int{400, 404, 414}
)

// hostile picks one hostile request against the plan's packages.
func hostile(p *plan, r *rand.Rand) hostileReq {
	it := pick(r, p.stable)
	readme := it.Path + "/docs/README.md"
	list := []hostileReq{
		{"traversal", it.Path + "/../../../../etc/passwd", "", traversalWant},
		{"traversal", it.Path + "/docs/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "", traversalWant},
		{"traversal", it.Path + "/docs/..%2f..%2f..%2f..%2fetc%2fpasswd", "", traversalWant},
		{"traversal", it.Path + "/docs/..%5c..%5c..%5cmanifest.yml", "", traversalWant},
		{"traversal", it.Path + "/docs/%252e%252e/%252e%252e/manifest.yml", "", traversalWant},
		{"traversal", it.Path + "/docs/README.md%00.png", "", traversalWant},
		{"traversal", it.Path + "/docs/%c0%ae%c0%ae/%c0%ae%c0%ae/manifest.yml", "", traversalWant},
		{"garbage range", readme, "bytes=abc", rangeWant},
		{"garbage range", readme, "bytes=5-1", rangeWant},
		{"garbage range", readme, "bytes=99999999999999999999-", rangeWant},
		{"garbage range", readme, "bytes=-0", rangeWant},
		{"garbage range", readme, "items=0-10", rangeWant},
		{"garbage range", readme, strings.Repeat("bytes=0-1,", 40) + "0-1", rangeWant},
		{"garbage range", readme, "bytes=" + strings.Repeat("0-0,", 40) + "0-0", rangeWant},
		{"garbage range", it.Download, "bytes=10-5,7-", rangeWant},
		{"bad query", "/search?kibana.version=not-a-version", "", queryWant},
		{"bad query", "/search?kibana.version=" + url.QueryEscape(strings.Repeat("9", 300)), "", queryWant},
		{"bad query", "/search?prerelease=maybe", "", queryWant},
		{"bad query", "/search?all=%ff", "", queryWant},
		{"bad query", "/search?experimental=2", "", queryWant},
		{"bad query", "/search?spec.min=x.y&kibana.version=9.2.0", "", queryWant},
		{"bad query", "/categories?kibana.version=%00", "", queryWant},
		{"bad query", "/categories?prerelease=%zz", "", escapeWant},
		{"bad query", "/search?package=%zz&kibana.version=%", "", escapeWant},
		{"fifo", p.fifoFile, "", []int{404}},
		{"deep name", p.deepFile, "", []int{200, 404}},
		{"deep name", it.Path + "/docs/" + strings.Repeat("a/", 2000) + "x.md", "", missingWant},
		{"long name", it.Path + "/docs/" + strings.Repeat("n", 5000) + ".md", "", missingWant},
		{"long name", "/package/" + strings.Repeat("x", 3000) + "/1.0.0/", "", missingWant},
		{"long name", "/package/" + it.Name + "/" + strings.Repeat("1.", 400) + "0/", "", missingWant},
	}
	return pick(r, list)
}

// newHostileRequest builds the request with its target as it is: the
// client would otherwise re-encode %2e, %00 or a backslash.
func newHostileRequest(base string, h hostileReq) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, base+"/", nil)
	if err != nil {
		return nil, err
	}
	path, query, _ := strings.Cut(h.target, "?")
	req.URL.Opaque = path
	req.URL.RawQuery = query
	if h.rng != "" {
		req.Header.Set("Range", h.rng)
	}
	return req, nil
}

// oneHostile sends one hostile request and judges its answer.
func oneHostile(client *http.Client, p *plan, h hostileReq, st *stats) {
	req, err := newHostileRequest(p.base, h)
	if err != nil {
		st.fail("hostile "+h.kind, "request", err.Error())
		return
	}
	what := h.target
	if h.rng != "" {
		what += " Range: " + h.rng
	}
	send(client, req, "hostile "+h.kind, what, h.want, st)
}
