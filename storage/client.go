package storage

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	gcs "cloud.google.com/go/storage"
	"go.uber.org/zap"
	"google.golang.org/api/option"
)

// ClientOptions configure NewClient.
type ClientOptions struct {
	// EmulatorHost is the GCS emulator to use instead of Google Cloud
	// Storage (STORAGE_EMULATOR_HOST, or the in-process emulator's URL):
	// "host:port" or a URL. Empty means Google Cloud Storage.
	EmulatorHost string
	Logger       *zap.Logger
}

// NewClient creates the GCS client of the storage indexers: Google
// Application Default Credentials, or, with an emulator host, an
// unauthenticated client of that emulator reading objects through the JSON
// API (docs/storage_indexers.md, "Trying it locally").
//
// The emulator is given to the client as an endpoint option, not through
// the process environment, so that nothing is set globally; the endpoint
// is the one the GCS library derives from STORAGE_EMULATOR_HOST.
func NewClient(ctx context.Context, opts ClientOptions) (*gcs.Client, error) {
	var clientOpts []option.ClientOption
	if host := opts.EmulatorHost; host != "" {
		if opts.Logger != nil {
			opts.Logger.Info("Using local development setup for storage indexer", zap.String(EmulatorHostEnv, host))
		}
		endpoint, err := emulatorEndpoint(host)
		if err != nil {
			return nil, fmt.Errorf("failed to create storage client: %w", err)
		}
		clientOpts = append(clientOpts,
			option.WithEndpoint(endpoint),
			option.WithoutAuthentication(),
			gcs.WithJSONReads())
	}
	client, err := gcs.NewClient(ctx, clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("failed to create storage client: %w", err)
	}
	return client, nil
}

// emulatorEndpoint is the JSON API base URL of an emulator host: http://
// is assumed when the host has no scheme, as the GCS library does.
func emulatorEndpoint(host string) (string, error) {
	u := &url.URL{Scheme: "http", Host: host}
	if strings.Contains(host, "://") {
		parsed, err := url.Parse(host)
		if err != nil {
			return "", err
		}
		u = parsed
	}
	u.Path = "storage/v1/"
	return u.String(), nil
}
