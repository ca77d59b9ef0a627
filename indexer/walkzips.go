package indexer

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.uber.org/zap"

	"github.com/eprgo/package-registry/loader"
)

// walkZips finds every valid zip archive under root, at any depth
// (as upstream finds them), in filepath.WalkDir order. Walking a large tree
// and opening every archive is most of the zip indexer's load, so the
// sub-trees of root's entries are walked on the indexer's workers; the
// results, warnings included, are then put together in walk order, so the
// answer (first error included) is the one of a single walk.
//
// hints (see ziphints.go) give the .zip files of package folders that are
// not walked again.
func (i *FileSystemIndexer) walkZips(ctx context.Context, root string, hints map[string][]string) ([]string, error) {
	var entries []os.DirEntry
	info, err := os.Lstat(root)
	if err == nil && info.IsDir() {
		entries, err = os.ReadDir(root)
	}
	if err != nil || !info.IsDir() {
		// A missing root, a file, a link (not followed) or an
		// unreadable folder: the single walk tells.
		return i.finishZipWalk(root, i.walkZipTree(root, root, hints))
	}
	parts := make([]zipWalk, len(entries))
	err = i.parallel(ctx, len(entries), func(n int) {
		parts[n] = i.walkZipTree(root, filepath.Join(root, entries[n].Name()), hints)
	})
	if err != nil {
		return nil, err
	}
	var all zipWalk
	for _, p := range parts {
		all.found = append(all.found, p.found...)
		all.invalid = append(all.invalid, p.invalid...)
		if p.err != nil {
			all.err = p.err
			break
		}
	}
	return i.finishZipWalk(root, all)
}

// zipWalk is the outcome of walking part of a tree: the archives found,
// the invalid ones to warn about, in walk order, and the error that
// stopped the walk.
type zipWalk struct {
	found   []string
	invalid []invalidZip
	err     error
}

type invalidZip struct {
	path string
	err  error
}

// walkZipTree walks one tree (root itself, or one entry of it), the fast
// way when the platform has one.
func (i *FileSystemIndexer) walkZipTree(root, top string, hints map[string][]string) zipWalk {
	if w, ok := fastZipTree(top, hints); ok {
		return w
	}
	var w zipWalk
	w.err = filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if zips, ok := hints[path]; ok {
				for _, z := range zips {
					checkZip(z, &w)
				}
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".zip") {
			return nil
		}
		checkZip(path, &w)
		return nil
	})
	return w
}

func (i *FileSystemIndexer) finishZipWalk(root string, w zipWalk) ([]string, error) {
	for _, z := range w.invalid {
		i.logger.Warn("ignoring invalid zip file", zap.String("file.path", z.path), zap.Error(z.err))
	}
	if w.err != nil {
		return nil, fmt.Errorf("listing packages failed (path: %s): %w", root, w.err)
	}
	return w.found, nil
}

// checkZip records a zip file as found or invalid, as walkZipTree does.
// The file is opened without blocking and must be a regular file: a FIFO
// named like an archive would otherwise hang the walk (docs/security.md).
func checkZip(path string, w *zipWalk) {
	if err := readableZip(path); err != nil {
		w.invalid = append(w.invalid, invalidZip{path, err})
		return
	}
	w.found = append(w.found, path)
}

func readableZip(path string) error {
	f, err := loader.OpenRegular(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	_, err = zip.NewReader(f, info.Size())
	return err
}
