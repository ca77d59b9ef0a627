package indexer

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/eprgo/package-registry/loader"
)

// fastZipTree walks one tree like walkZipTree, reading directories with
// getdents into one buffer instead of os.ReadDir: the zip indexer reads
// every directory of the package paths, and os.ReadDir's stat and
// allocations per directory were a good part of the start-up. ok is false
// when the fast walk cannot answer (any error, a file system without entry
// types): the caller walks again with filepath.WalkDir, whose answer and
// errors are the reference.
func fastZipTree(top string, hints map[string][]string) (w zipWalk, ok bool) {
	var st unix.Stat_t
	if err := unix.Lstat(top, &st); err != nil {
		return w, false
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		if strings.HasSuffix(top, ".zip") {
			checkZip(top, &w)
		}
		return w, true
	}
	fd, err := unix.Open(top, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return w, false
	}
	buf := make([]byte, 16<<10)
	ok = walkFD(fd, top, buf, hints, &w)
	return w, ok
}

// walkFD walks the directory open as fd (and closes it), in
// filepath.WalkDir order: entries sorted by name, depth first. Only
// folders and names ending in .zip matter here.
func walkFD(fd int, dir string, buf []byte, hints map[string][]string, w *zipWalk) bool {
	defer unix.Close(fd)
	entries, err := loader.ReadDirFD(fd, buf)
	if err != nil {
		return false
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name)
		if !e.Type.IsDir() {
			if strings.HasSuffix(e.Name, ".zip") {
				checkZip(p, w)
			}
			continue
		}
		if zips, ok := hints[p]; ok {
			for _, z := range zips {
				checkZip(z, w)
			}
			continue
		}
		sub, err := unix.Openat(fd, e.Name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil || !walkFD(sub, p, buf, hints, w) {
			return false
		}
	}
	return true
}
