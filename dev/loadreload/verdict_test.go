package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJudgeMemory(t *testing.T) {
	tests := []struct {
		name, whyPrefix    string
		samples            []int
		warm, base, lo, hi int
		ok                 bool
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

// The log is read as the registry writes it, one JSON document a line.
func TestScanLog(t *testing.T) {
	lines := []string{
		`{"log.level":"info","message":"package filesystem index updated"}`,
		`{"log.level":"info","message":"GET /search","url.path":"/search"}`,
		`{"log.level":"error","message":"updating package filesystem index failed","error.message":"first"}`,
		`{"log.level":"info","message":"package filesystem index updated"}`,
		`{"log.level":"error","message":"updating package filesystem index failed","error.message":"second"}`,
		`{"log.level":"warn","message":"failed to watch path","file.path":"/x"}`,
		`{"log.level":"info","message":"` + strings.Repeat("x", 200_000) + `"}`,
	}
	path := filepath.Join(t.TempDir(), "registry.log")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := scanLog(path)
	want := logged{updates: 2, failedUpdates: 2, firstFailedUpdate: lines[2], watchFailures: 1}
	if err != nil || got != want {
		t.Errorf("scanLog = %+v, %v; want %+v", got, err, want)
	}
	if _, err := scanLog(filepath.Join(t.TempDir(), "missing.log")); err == nil {
		t.Error("a missing log gave no error")
	}
}
