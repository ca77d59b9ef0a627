package indexer

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/eprgo/package-registry/loader"
)

// fingerprint identifies the state of a package's files: a SHA-256 over
// the name, type, size, modification and change times (and inode where
// the platform has them) of every file and directory of the package, and
// of its signature file. The change time moves on any write, even one that
// restores the modification time, so equal fingerprints mean the loader
// would read the same files.
type fingerprint [sha256.Size]byte

// fingerprintOf fingerprints a directory package (its whole tree, links not
// followed: the loader never follows one out of the package, and a link
// inside it points at files fingerprinted on their own) or a zip file.
func fingerprintOf(path string, isZip bool) (fingerprint, error) {
	h := sha256.New()
	if isZip {
		info, err := os.Stat(path)
		if err != nil {
			return fingerprint{}, err
		}
		writeInfo(h, ".", info)
	} else {
		err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(path, p)
			if err != nil {
				return err
			}
			writeInfo(h, rel, info)
			if d.IsDir() && strings.Count(filepath.ToSlash(rel), "/")+1 >= loader.MaxPathDepth {
				// The loader does not go deeper (nothing below is
				// package content), and walking thousands of levels
				// costs time quadratic in the depth.
				return fs.SkipDir
			}
			return nil
		})
		if err != nil {
			return fingerprint{}, err
		}
	}
	// The loader looks for "<path>.sig" with a plain stat.
	switch info, err := os.Stat(filepath.Clean(path) + ".sig"); {
	case err == nil:
		writeInfo(h, ".sig", info)
	case errors.Is(err, fs.ErrNotExist):
		h.Write([]byte("no signature\x00"))
	default:
		return fingerprint{}, err
	}
	var fp fingerprint
	h.Sum(fp[:0])
	return fp, nil
}

func writeInfo(h hash.Hash, name string, info fs.FileInfo) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(len(name)))
	h.Write(b[:])
	h.Write([]byte(name))
	for _, v := range append([]uint64{uint64(info.Mode()), uint64(info.Size()), uint64(info.ModTime().UnixNano())}, statDetails(info)...) {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
}
