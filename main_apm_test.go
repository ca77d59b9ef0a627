package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/apmlite/apmlitetest"
)

// TestAPMInitFailure: an invalid ELASTIC_APM_* value stops the start-up
// before the structured logger exists, so with a standard-logger line, and
// exit 1, as upstream's.
func TestAPMInitFailure(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{
			env:  map[string]string{"ELASTIC_APM_SERVER_URL": "http://127.0.0.1:1", "ELASTIC_APM_TRANSACTION_SAMPLE_RATE": "2"},
			want: "Failed to initialize APM agent: invalid ELASTIC_APM_TRANSACTION_SAMPLE_RATE value 2: out of range [0,1.0]",
		},
		{
			env:  map[string]string{"ELASTIC_APM_SERVER_URL": "ftp://apm", "ELASTIC_APM_ACTIVE": "false"},
			want: `Failed to initialize APM agent: failed to parse ELASTIC_APM_SERVER_URL: unsupported scheme "ftp" (want http or https)`,
		},
	}
	for _, tt := range tests {
		var stdout, stderr strings.Builder
		// -log-type is invalid too: APM is checked before the logger is
		// built.
		code := run(context.Background(), []string{"epr", "-log-type", "nope"}, envFunc(tt.env), &stdout, &stderr)
		lines := normalize(t, stderr.String())
		if code != 1 || len(lines) != 1 || lines[0] != tt.want {
			t.Errorf("%v: code %d, stderr %q; want 1, %q", tt.env, code, stderr.String(), tt.want)
		}
		if !stdlibPrefix.MatchString(stderr.String()) {
			t.Errorf("not a standard-logger line: %q", stderr.String())
		}
	}
}

// TestAPMEndToEnd runs the registry in-process with APM on: start-up is
// an initIndexer transaction, requests are named transactions, the access
// log carries their ids, and what is pending is sent at shutdown.
func TestAPMEndToEnd(t *testing.T) {
	apm := apmlitetest.NewServer(t)
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(config, []byte("package_paths:\n  - "+packagesDir(t)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := apm.Env(map[string]string{"ELASTIC_APM_SERVICE_NAME": "registry-under-test", "ELASTIC_APM_FLUSH_INTERVAL": "1h"})
	done, stderr, addr := runServing(t, ctx, env, "-config", config, "-require-package-signatures=false")
	if resp, err := httpGet("http://" + addr + "/search"); err != nil || resp.status != 200 {
		t.Fatalf("search: %v %v", resp, err)
	}
	if resp, err := httpGet("http://" + addr + "/package/hello/9.9.9/"); err != nil || resp.status != 404 {
		t.Fatalf("unknown version: %v %v", resp, err)
	}
	// The flush interval is an hour: everything arrives with the final
	// flush at shutdown.
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("run returned %d:\n%s", code, stderr.String())
	}

	reqs := apm.Requests()
	if len(reqs) == 0 {
		t.Fatalf("nothing sent (rejected: %v)", apm.Problems())
	}
	if name := reqs[0].Metadata["service"].(map[string]any)["name"]; name != "registry-under-test" {
		t.Errorf("service.name %v", name)
	}
	txs := apm.Events("transaction")
	find := func(name string) map[string]any {
		for _, tx := range txs {
			if tx["name"] == name {
				return tx
			}
		}
		t.Fatalf("no %q transaction in %v", name, txs)
		return nil
	}
	if init := find("initIndexer"); init["type"] != "backend.init" || init["outcome"] != "success" {
		t.Errorf("initIndexer: %v", init)
	}
	search := find("GET /search")
	if search["type"] != "request" || search["result"] != "HTTP 2xx" {
		t.Errorf("GET /search: %v", search)
	}
	if pkg := find("GET /package/{packageName}/{packageVersion}/"); pkg["result"] != "HTTP 4xx" {
		t.Errorf("package index: %v", pkg)
	}

	var accessIDs []string
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not an ECS line: %q", line)
		}
		if m["log.logger"] == "http" {
			if m["trace.id"] == nil || m["transaction.id"] == nil {
				t.Errorf("access-log line without trace ids: %s", line)
			}
			accessIDs = append(accessIDs, m["transaction.id"].(string))
		}
	}
	found := false
	for _, id := range accessIDs {
		found = found || id == search["id"]
	}
	if !found {
		t.Errorf("no access-log line names transaction %v (%v)", search["id"], accessIDs)
	}
}
