package indexer

import (
	"context"
	"errors"

	"go.uber.org/zap"

	"epr/packages"
)

// FSOptions configure the filesystem indexers.
type FSOptions struct {
	Paths             []string
	Workers           int
	RequireSignatures bool
	DisableValidation bool
	EnableWatcher     bool
	Logger            *zap.Logger
}

// FileSystemIndexer indexes local packages: version directories
// (NewFileSystemIndexer) or .zip files (NewZipFileSystemIndexer).
type FileSystemIndexer struct {
	opts  FSOptions
	isZip bool
}

func NewFileSystemIndexer(o FSOptions) *FileSystemIndexer { return &FileSystemIndexer{opts: o} }

func NewZipFileSystemIndexer(o FSOptions) *FileSystemIndexer {
	return &FileSystemIndexer{opts: o, isZip: true}
}

func (i *FileSystemIndexer) Init(ctx context.Context) error { return errors.New("not implemented") }

func (i *FileSystemIndexer) Get(ctx context.Context, opts *GetOptions) (packages.Packages, error) {
	return nil, errors.New("not implemented")
}

func (i *FileSystemIndexer) Close(ctx context.Context) error { return nil }
