package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	"go.uber.org/zap"
)

const (
	// EmulatorBucket is the bucket the fake GCS server serves; the
	// internal bucket option is forced to it, whatever the configuration
	// says, so the emulator is always the bucket read.
	EmulatorBucket = "gs://fake-package-storage-internal"
	// EmulatorIndexPathEnv names the index file that turns the emulator on.
	EmulatorIndexPathEnv = "EPR_EMULATOR_INDEX_PATH"
	// EmulatorHostEnv is read by the GCS client and by the emulator.
	EmulatorHostEnv = "STORAGE_EMULATOR_HOST"

	emulatorBucketName = "fake-package-storage-internal"
)

// Emulator is an in-process fake GCS server holding one index as revision
// "1" (docs/storage_indexers.md, "Trying it locally"). It accepts
// uploads, so new revisions can be published while it runs.
type Emulator struct {
	server *fakestorage.Server
}

// StartEmulator serves the index file at indexPath. host is the value of
// STORAGE_EMULATOR_HOST: a bare host:port to bind, or empty for a random
// port on localhost.
func StartEmulator(indexPath, host string, logger *zap.Logger) (*Emulator, error) {
	if logger == nil {
		logger = zap.NewNop()
	}
	opts := fakestorage.Options{Scheme: "http", Host: "localhost"}
	if host == "" {
		logger.Info("Create fake GCS server on random port")
	} else {
		logger.Info("Create fake GCS server based on STORAGE_EMULATOR_HOST environment variable", zap.String(EmulatorHostEnv, host))
		h, p, err := net.SplitHostPort(host)
		if err != nil {
			return nil, fmt.Errorf("failed to split host and port from STORAGE_EMULATOR_HOST: %w", err)
		}
		port, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("failed to parse port from STORAGE_EMULATOR_HOST: %w", err)
		}
		opts.Host, opts.Port = h, uint16(port)
	}
	objects, err := emulatorObjects(indexPath)
	if err != nil {
		return nil, fmt.Errorf("failed to prepare fake storage server: failed to prepare server objects: %w", err)
	}
	opts.InitialObjects = objects
	server, err := fakestorage.NewServerWithOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("failed to prepare fake storage server: %w", err)
	}
	return &Emulator{server: server}, nil
}

// emulatorObjects are the cursor and the index, stored verbatim.
func emulatorObjects(indexPath string) ([]fakestorage.Object, error) {
	content, err := os.ReadFile(indexPath)
	if err != nil {
		return nil, fmt.Errorf("failed to read index file: %w", err)
	}
	var index struct {
		Packages []json.RawMessage `json:"packages"`
	}
	if err := json.Unmarshal(content, &index); err != nil {
		return nil, fmt.Errorf("failed to parse index file: %w", err)
	}
	if len(index.Packages) == 0 {
		return nil, errors.New("index file must contain some package entries")
	}
	object := func(name string, content []byte) fakestorage.Object {
		return fakestorage.Object{
			ObjectAttrs: fakestorage.ObjectAttrs{BucketName: emulatorBucketName, Name: name, ContentType: "application/json"},
			Content:     content,
		}
	}
	return []fakestorage.Object{
		object("v2/metadata/cursor.json", []byte(`{"current":"1"}`)),
		object("v2/metadata/1/search-index-all.json", content),
	}, nil
}

// URL is the emulator's base URL, e.g. http://127.0.0.1:45317.
func (e *Emulator) URL() string { return e.server.URL() }

// Stop shuts the server down.
func (e *Emulator) Stop() { e.server.Stop() }
