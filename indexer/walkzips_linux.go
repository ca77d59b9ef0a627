package indexer

import (
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unsafe"
)

// fastZipTree walks one tree like walkZipTree, reading directories with
// getdents into one buffer instead of os.ReadDir: the zip indexer reads
// every directory of the package paths, and os.ReadDir's stat and
// allocations per directory were a good part of the start-up. ok is false
// when the fast walk cannot answer (any error, a file system without entry
// types): the caller walks again with filepath.WalkDir, whose answer and
// errors are the reference.
func fastZipTree(top string, hints map[string][]string) (w zipWalk, ok bool) {
	var st syscall.Stat_t
	if err := syscall.Lstat(top, &st); err != nil {
		return w, false
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		if strings.HasSuffix(top, ".zip") {
			checkZip(top, &w)
		}
		return w, true
	}
	fd, err := syscall.Open(top, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		return w, false
	}
	buf := make([]byte, 16<<10)
	ok = walkFD(fd, top, buf, hints, &w)
	return w, ok
}

// walkFD walks the directory open as fd (and closes it), in
// filepath.WalkDir order: entries sorted by name, depth first.
func walkFD(fd int, dir string, buf []byte, hints map[string][]string, w *zipWalk) bool {
	type entry struct {
		name  string
		isDir bool
	}
	var entries []entry
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			syscall.Close(fd)
			return false
		}
		if n <= 0 {
			break
		}
		for b := buf[:n]; len(b) > 0; {
			d := (*syscall.Dirent)(unsafe.Pointer(&b[0]))
			reclen := int(d.Reclen)
			if reclen == 0 || reclen > len(b) {
				syscall.Close(fd)
				return false
			}
			name := b[unsafe.Offsetof(d.Name):reclen]
			if i := slices.Index(name, 0); i >= 0 {
				name = name[:i]
			}
			b = b[reclen:]
			switch {
			case string(name) == "." || string(name) == "..":
			case d.Type == syscall.DT_UNKNOWN:
				syscall.Close(fd)
				return false
			case d.Type == syscall.DT_DIR:
				entries = append(entries, entry{string(name), true})
			case strings.HasSuffix(string(name), ".zip"):
				entries = append(entries, entry{string(name), false})
			}
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	ok := true
	for _, e := range entries {
		p := filepath.Join(dir, e.name)
		if !e.isDir {
			checkZip(p, w)
			continue
		}
		if zips, ok := hints[p]; ok {
			for _, z := range zips {
				checkZip(z, w)
			}
			continue
		}
		sub, err := syscall.Openat(fd, e.name, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
		if err != nil || !walkFD(sub, p, buf, hints, w) {
			ok = false
			break
		}
	}
	syscall.Close(fd)
	return ok
}
