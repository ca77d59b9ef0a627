package storage

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The emulator holds the index as revision 1, the GCS client reaches it
// through its endpoint option, and new revisions can be uploaded with
// the JSON upload API, as dev/storage/publish.sh does.
func TestEmulatorWithIndexer(t *testing.T) {
	logger, logs := observedLogger()
	em, err := StartEmulator(filepath.Join("testdata", "index-a.json"), "", logger)
	if err != nil {
		t.Fatal(err)
	}
	defer em.Stop()
	if !strings.HasPrefix(em.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %s", em.URL())
	}
	if logs.FilterMessage("Create fake GCS server on random port").Len() != 1 {
		t.Error("no creation log")
	}
	client, err := NewClient(context.Background(), ClientOptions{EmulatorHost: em.URL(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	entries := logs.FilterMessage("Using local development setup for storage indexer").All()
	if len(entries) != 1 || entries[0].ContextMap()[EmulatorHostEnv] != em.URL() {
		t.Errorf("client log %+v", entries)
	}

	i := NewIndexer(client, IndexerOptions{Options: Options{Bucket: EmulatorBucket, Endpoint: DefaultEndpoint}, Incremental: true})
	if err := i.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer i.Close(context.Background())
	pkgs, _ := i.Get(context.Background(), nil)
	if k := keys(pkgs); !sameStrings(k, indexAKeys) {
		t.Fatalf("got %v", k)
	}

	upload(t, em.URL(), "v2/metadata/2/search-index-delta.json", testdata(t, "delta-add.json"))
	upload(t, em.URL(), "v2/metadata/cursor.json", []byte(`{"current":"2"}`))
	if err := i.update(context.Background()); err != nil {
		t.Fatal(err)
	}
	pkgs, _ = i.Get(context.Background(), nil)
	if find(pkgs, "apache", "1.2.0") == nil {
		t.Errorf("uploaded delta not applied: %v", keys(pkgs))
	}
}

func upload(t *testing.T, base, name string, content []byte) {
	t.Helper()
	u := base + "/upload/storage/v1/b/fake-package-storage-internal/o?uploadType=media&name=" + url.QueryEscape(name)
	resp, err := http.Post(u, "application/json", strings.NewReader(string(content)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("upload %s: %d %s", name, resp.StatusCode, b)
	}
}

func TestEmulatorBindsStorageEmulatorHost(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	logger, logs := observedLogger()
	em, err := StartEmulator(filepath.Join("testdata", "index-b.json"), addr, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer em.Stop()
	if em.URL() != "http://"+addr {
		t.Errorf("URL %s, want http://%s", em.URL(), addr)
	}
	entries := logs.FilterMessage("Create fake GCS server based on STORAGE_EMULATOR_HOST environment variable").All()
	if len(entries) != 1 || entries[0].ContextMap()[EmulatorHostEnv] != addr {
		t.Errorf("creation log %+v", entries)
	}
	// The objects are the cursor and the index, verbatim.
	resp, err := http.Get(em.URL() + "/storage/v1/b/fake-package-storage-internal/o/" + url.PathEscape("v2/metadata/1/search-index-all.json") + "?alt=media")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != string(testdata(t, "index-b.json")) {
		t.Error("index not stored verbatim")
	}
}

func TestEmulatorErrors(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(notJSON, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, index, host, want string
	}{
		{"empty index", filepath.Join("testdata", "index-empty.json"), "",
			"failed to prepare fake storage server: failed to prepare server objects: index file must contain some package entries"},
		{"host with scheme", filepath.Join("testdata", "index-a.json"), "http://h:p",
			"failed to split host and port from STORAGE_EMULATOR_HOST: address http://h:p: too many colons in address"},
		{"bad port", filepath.Join("testdata", "index-a.json"), "localhost:http",
			`failed to parse port from STORAGE_EMULATOR_HOST: strconv.ParseUint: parsing "http": invalid syntax`},
		{"missing file", filepath.Join(dir, "nope.json"), "",
			"failed to prepare fake storage server: failed to prepare server objects: failed to read index file: open "},
		{"not JSON", notJSON, "",
			"failed to prepare fake storage server: failed to prepare server objects: failed to parse index file: unexpected end of JSON input"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			em, err := StartEmulator(c.index, c.host, nil)
			if err == nil {
				em.Stop()
			}
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}
