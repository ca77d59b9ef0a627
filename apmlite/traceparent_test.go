package apmlite

import (
	"strings"
	"testing"
	"time"
)

func TestParseTraceparent(t *testing.T) {
	const (
		trace  = "4bf92f3577b34da6a3ce929d0e0e4736"
		parent = "00f067aa0ba902b7"
	)
	tests := []struct {
		in      string
		ok      bool
		sampled bool
	}{
		{"00-" + trace + "-" + parent + "-01", true, true},
		{"00-" + trace + "-" + parent + "-00", true, false},
		{"00-" + trace + "-" + parent + "-03", true, true}, // other flags ignored
		{" 00-" + trace + "-" + parent + "-01 ", true, true},
		{"01-" + trace + "-" + parent + "-01-future", true, true},  // later versions may add fields
		{"00-" + trace + "-" + parent + "-01-extra", false, false}, // version 00 has exactly four
		{"01-" + trace + "-" + parent + "-01x", false, false},
		{"ff-" + trace + "-" + parent + "-01", false, false},
		{"00-00000000000000000000000000000000-" + parent + "-01", false, false},
		{"00-" + trace + "-0000000000000000-01", false, false},
		{"00-" + trace[:31] + "g-" + parent + "-01", false, false},
		{"00-" + trace + "-" + parent + "-zz", false, false},
		{"00_" + trace + "_" + parent + "_01", false, false},
		{"00-" + trace + "-" + parent, false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		tp, ok := parseTraceparent(tt.in)
		if ok != tt.ok || tp.sampled != tt.sampled {
			t.Errorf("%q: ok %v sampled %v, want %v %v", tt.in, ok, tp.sampled, tt.ok, tt.sampled)
			continue
		}
		if ok && (tp.traceID.String() != trace || tp.parentID.String() != parent) {
			t.Errorf("%q: ids %s %s", tt.in, tp.traceID, tp.parentID)
		}
		if ok {
			if got := formatTraceparent(tp.traceID, tp.parentID, tp.sampled); !strings.HasPrefix(got, "00-"+trace+"-"+parent+"-0") {
				t.Errorf("format: %q", got)
			}
		}
	}
}

func TestTracestate(t *testing.T) {
	rates := []struct {
		in   string
		rate float64
		ok   bool
	}{
		{"es=s:0.5", 0.5, true},
		{"other=1,es=s:0.25;x:1", 0.25, true},
		{"es=x:1;s:1", 1, true},
		{"es=s:2", 0, false},
		{"es=s:abc", 0, false},
		{"other=s:0.5", 0, false},
		{"", 0, false},
	}
	for _, tt := range rates {
		rate, ok := tracestateSampleRate(tt.in)
		if rate != tt.rate || ok != tt.ok {
			t.Errorf("%q: %v %v, want %v %v", tt.in, rate, ok, tt.rate, tt.ok)
		}
	}
	clean := []struct {
		in   []string
		want string
	}{
		{[]string{"a=1", "es=s:1"}, "a=1,es=s:1"},
		{[]string{"a=\x01"}, ""},
		{[]string{"a=é"}, ""},
		{[]string{strings.Repeat("a", 600)}, ""},
		{nil, ""},
	}
	for _, tt := range clean {
		if got := cleanTracestate(tt.in); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := rootTracestate(0.1235); got != "es=s:0.1235" {
		t.Errorf("root tracestate %q", got)
	}
}

func TestIDsAreUniqueAndNonZero(t *testing.T) {
	seen := make(map[TraceID]bool)
	for range 1000 {
		id := newTraceID()
		if id.isZero() || seen[id] {
			t.Fatalf("bad id %s", id)
		}
		seen[id] = true
		if newSpanID().isZero() {
			t.Fatal("zero span id")
		}
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Second, 2: 4 * time.Second, 5: 25 * time.Second, 6: 36 * time.Second, 100: 36 * time.Second} {
		for range 20 {
			if got := backoff(n); got < want*9/10 || got > want*11/10 {
				t.Errorf("backoff(%d) = %v, want %v ±10%%", n, got, want)
			}
		}
	}
}

func TestTruncateAndSanitize(t *testing.T) {
	long := strings.Repeat("é", 600) // 1200 bytes
	if got := truncate(long); len(got) > maxKeyword || !strings.HasPrefix(long, got) || len(got) != 1024 {
		t.Errorf("truncate: %d bytes", len(got))
	}
	if got := truncate("short"); got != "short" {
		t.Errorf("truncate(short) = %q", got)
	}
	if got := sanitizeServiceName("my.registry/eu 1"); got != "my_registry_eu 1" {
		t.Errorf("service name %q", got)
	}
	if got := sanitizeLabelKey(`a.b*c"d`); got != "a_b_c_d" {
		t.Errorf("label key %q", got)
	}
	if got := statusResult(204); got != "HTTP 2xx" {
		t.Errorf("result %q", got)
	}
	if got := statusResult(0); got != "HTTP 0" {
		t.Errorf("result %q", got)
	}
}
