package storage

import (
	"context"
	"fmt"
	"os"

	gcs "cloud.google.com/go/storage"
	"go.uber.org/zap"
	"google.golang.org/api/option"
)

// NewClient creates the GCS client of the storage indexers: Google
// Application Default Credentials, or, when STORAGE_EMULATOR_HOST is set,
// an unauthenticated client of that emulator reading objects through the
// JSON API (operations.md §8.5).
func NewClient(ctx context.Context, logger *zap.Logger) (*gcs.Client, error) {
	var opts []option.ClientOption
	if host := os.Getenv(EmulatorHostEnv); host != "" {
		if logger != nil {
			logger.Info("Using local development setup for storage indexer", zap.String(EmulatorHostEnv, host))
		}
		opts = append(opts, gcs.WithJSONReads())
	}
	client, err := gcs.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("failed to create storage client: %w", err)
	}
	return client, nil
}
