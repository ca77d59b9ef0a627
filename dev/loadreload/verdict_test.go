package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJudgeMemory(t *testing.T) {
	tests := []struct {
		name      string
		samples   []int
		warm      int
		ok        bool
		base      int
		lo, hi    int
		whyPrefix string
	}{
		{name: "flat", samples: []int{10, 50, 100, 105, 95, 110}, warm: 2, ok: true, base: 100, lo: 95, hi: 110},
		{name: "growth during warm-up does not count", samples: []int{10, 500, 100, 100}, warm: 2, ok: true, base: 100, lo: 100, hi: 100},
		{name: "exactly 20% up", samples: []int{100, 120}, warm: 0, ok: true, base: 100, lo: 120, hi: 120},
		{name: "leak", samples: []int{100, 110, 121}, warm: 0, base: 100, lo: 110, hi: 121, whyPrefix: "max is +21.0%"},
		{name: "fall", samples: []int{100, 79, 100}, warm: 0, base: 100, lo: 79, hi: 100, whyPrefix: "min is -21.0%"},
		{name: "a failed sample after the reference", samples: []int{100, 0, 100}, warm: 0, base: 100, lo: 0, hi: 100, whyPrefix: "min is -100.0%"},
		{name: "no reference", samples: []int{0, 0}, warm: 0, whyPrefix: "no resident memory"},
		{name: "too short", samples: []int{100, 100, 100}, warm: 2, whyPrefix: "3 samples"},
		{name: "none", samples: nil, warm: 10, whyPrefix: "0 samples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judgeMemory(tt.samples, tt.warm, 0.20)
			if v.ok != tt.ok {
				t.Fatalf("ok = %v (%s), want %v", v.ok, v.why, tt.ok)
			}
			if !strings.HasPrefix(v.why, tt.whyPrefix) || (tt.ok && v.why != "") {
				t.Errorf("why = %q, want prefix %q", v.why, tt.whyPrefix)
			}
			if tt.base != 0 && (v.base != tt.base || v.lo != tt.lo || v.hi != tt.hi) {
				t.Errorf("base, lo, hi = %d, %d, %d, want %d, %d, %d", v.base, v.lo, v.hi, tt.base, tt.lo, tt.hi)
			}
			c := v.check(tt.warm, 0.20)
			if c.pass != tt.ok || c.figure == "" {
				t.Errorf("check = %+v", c)
			}
		})
	}
}

func TestBackToStart(t *testing.T) {
	tests := []struct {
		start, end, slack int
		pass              bool
	}{
		{start: 12, end: 12, slack: 2, pass: true},
		{start: 12, end: 14, slack: 2, pass: true},
		{start: 12, end: 15, slack: 2},
		{start: 12, end: 9, slack: 0, pass: true},
		{start: 12, end: -1, slack: 2}, // could not be read after the run
		{start: -1, end: 0, slack: 2},
	}
	for _, tt := range tests {
		c := backToStart("fds", tt.start, 40, tt.end, tt.slack)
		if c.pass != tt.pass {
			t.Errorf("backToStart(%d, %d, slack %d) = %v, want %v", tt.start, tt.end, tt.slack, c.pass, tt.pass)
		}
	}
}

func TestGoroutineTotal(t *testing.T) {
	tests := []struct {
		body    string
		want    int
		wantErr bool
	}{
		{body: "goroutine profile: total 27\n5 @ 0x1 0x2\n#\t0x1\tmain.f+0x1\n", want: 27},
		{body: "goroutine profile: total 3", want: 3},
		{body: "<html>not found</html>", wantErr: true},
		{body: "goroutine profile: total many\n", wantErr: true},
		{body: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := goroutineTotal(tt.body)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("goroutineTotal(%q) = %d, %v; want %d, error %v", tt.body, got, err, tt.want, tt.wantErr)
		}
	}
}

// The parser reads this process's own status file, as it reads the
// registry's.
func TestRSSFromStatus(t *testing.T) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	kib, err := rssFromStatus(string(b))
	if err != nil || kib <= 0 {
		t.Fatalf("rssFromStatus(/proc/self/status) = %d, %v", kib, err)
	}
	if _, err := rssFromStatus("Name:\tepr\nVmPeak:\t 100 kB\n"); err == nil {
		t.Error("a status without VmRSS gave no error")
	}
}

// Hostile targets reach the server byte for byte: the client must not
// clean "..", decode %2e or re-encode a backslash or NUL escape.
func TestHostileRequestTargetIsSentAsIs(t *testing.T) {
	got := make(chan [2]string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- [2]string{r.RequestURI, r.Header.Get("Range")}
	}))
	defer srv.Close()
	tests := []hostileReq{
		{target: "/package/a/1.0.0/../../../../etc/passwd"},
		{target: "/package/a/1.0.0/docs/%2e%2e/%2e%2e/etc/passwd"},
		{target: "/package/a/1.0.0/docs/..%5c..%5cmanifest.yml"},
		{target: "/package/a/1.0.0/docs/README.md%00.png", rng: "bytes=abc"},
		{target: "/categories?prerelease=%zz&x=%"},
	}
	for _, h := range tests {
		req, err := newHostileRequest(srv.URL, h)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if g := <-got; g[0] != h.target || g[1] != h.rng {
			t.Errorf("sent %q with Range %q, server saw %q with Range %q", h.target, h.rng, g[0], g[1])
		}
	}
}

func TestTreeURLPath(t *testing.T) {
	tr := &tree{}
	dir := filepath.Join("tmp", "packages", "dirs", "pkg0001_web", "1.2.3")
	if got, want := tr.urlPath(dir, "docs/fifo.md"), "/package/pkg0001_web/1.2.3/docs/fifo.md"; got != want {
		t.Errorf("urlPath = %q, want %q", got, want)
	}
}
