package indexer

import (
	"io/fs"
	"syscall"
)

// statDetails adds the inode, device and change time: a file replaced by
// another one, or written with its modification time restored, still
// changes the fingerprint.
func statDetails(info fs.FileInfo) []uint64 {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	return []uint64{uint64(st.Ino), uint64(st.Dev), uint64(st.Ctim.Sec), uint64(st.Ctim.Nsec)}
}
