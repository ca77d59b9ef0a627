package indexer

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"io/fs"
	"path/filepath"
	"time"

	"go.uber.org/zap"
)

// pollLoop compares a fingerprint of each indexer's files every
// PollInterval and kicks the indexers whose files changed. It costs one
// stat per file and folder per interval, far less than a rescan, which
// parses every package.
func (w *Watcher) pollLoop(ctx context.Context) {
	defer w.wg.Done()
	ticker := time.NewTicker(w.opts.PollInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		w.watchMissingRoots()
		for _, t := range w.targets {
			fp := t.snapshotFingerprint()
			if t.fingerprint.Swap(fp) == fp {
				continue
			}
			t.logger.Debug("filesystem change detected", zap.String("event", "poll"))
			t.trigger()
		}
	}
}

// snapshotFingerprint hashes what t's rescan would read: the path, kind,
// size and modification time of every entry below its roots that t cares
// about. Any added, removed, renamed, grown or touched file changes it.
func (t *watchTarget) snapshotFingerprint() uint64 {
	h := fnv.New64a()
	var buf [8]byte
	writeInt := func(v int64) {
		binary.LittleEndian.PutUint64(buf[:], uint64(v))
		h.Write(buf[:])
	}
	for _, root := range t.roots {
		h.Write([]byte(root))
		h.Write([]byte{0})
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || path == root {
				// Unreadable entries are skipped: the rescan reports them.
				return nil
			}
			if !t.wants(path, d.IsDir()) {
				return nil
			}
			h.Write([]byte(path))
			h.Write([]byte{0})
			if d.IsDir() {
				h.Write([]byte{'d'})
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			h.Write([]byte{'f'})
			writeInt(info.Size())
			writeInt(info.ModTime().UnixNano())
			return nil
		})
	}
	return h.Sum64()
}
