package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	gcs "cloud.google.com/go/storage"
	"google.golang.org/api/iterator"
)

// cursor is cursor.json; only current is used, the other keys are the
// publisher's bookkeeping.
type cursor struct {
	Current string `json:"current"`
}

// bucket reads the metadata objects of one Package Storage bucket.
type bucket struct {
	client *gcs.Client
	loc    location
}

func (b *bucket) handle(name string) *gcs.ObjectHandle {
	return b.client.Bucket(b.loc.bucket).Object(name)
}

func (b *bucket) readCursor(ctx context.Context) (*cursor, error) {
	name := b.loc.cursorObject()
	r, err := b.handle(name).NewReader(ctx)
	if errors.Is(err, gcs.ErrObjectNotExist) {
		// The sentinel alone: newer clients append the HTTP details,
		// upstream's message ends with "storage: object doesn't exist".
		return nil, fmt.Errorf("cursor file doesn't exist, most likely a first run (bucketName: %s, path: %s): %w", b.loc.bucket, name, gcs.ErrObjectNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("can't make a reader for the cursor file (bucketName: %s, path: %s): %w", b.loc.bucket, name, err)
	}
	defer r.Close()
	var c cursor
	if err := json.NewDecoder(r).Decode(&c); err != nil {
		return nil, fmt.Errorf("can't decode the cursor file (bucketName: %s, path: %s): %w", b.loc.bucket, name, err)
	}
	return &c, nil
}

// open returns a reader for an object; the caller closes it.
func (b *bucket) open(ctx context.Context, name string) (io.ReadCloser, error) {
	r, err := b.handle(name).NewReader(ctx)
	if errors.Is(err, gcs.ErrObjectNotExist) {
		err = gcs.ErrObjectNotExist
	}
	if err != nil {
		return nil, fmt.Errorf("can't read the object (bucketName: %s, path: %s): %w", b.loc.bucket, name, err)
	}
	return r, nil
}

// revisionsAfter lists the revision folders under v2/metadata/ whose names
// are strictly greater than current and at most next, in ascending order.
// Cursors compare as plain strings, as upstream compares them.
func (b *bucket) revisionsAfter(ctx context.Context, current, next string) ([]string, error) {
	prefix := b.loc.metadataPrefix()
	it := b.client.Bucket(b.loc.bucket).Objects(ctx, &gcs.Query{Prefix: prefix, Delimiter: "/"})
	var revs []string
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("can't list revisions (bucketName: %s, prefix: %s): %w", b.loc.bucket, prefix, err)
		}
		if attrs.Prefix == "" {
			continue // an object such as cursor.json, not a folder
		}
		rev := strings.TrimSuffix(strings.TrimPrefix(attrs.Prefix, prefix), "/")
		if rev > current && rev <= next {
			revs = append(revs, rev)
		}
	}
	sort.Strings(revs)
	return revs, nil
}
