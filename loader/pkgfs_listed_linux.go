package loader

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// On Linux the listing reads directories with their file descriptors:
// openat relative to the parent, getdents for the entries, whose types
// come with them. os.Root would open every directory component by
// component and stat every entry it lists, several times the system calls
// for the same answer. Links are never followed (O_NOFOLLOW), so nothing
// outside the package is reached.

// fdHandle is an open directory.
type fdHandle struct {
	fd   int
	name string // for the names of opened files
	buf  *[]byte
}

// openRootHandle opens the package root again by its name, as the last
// component is not followed either: a package folder replaced meanwhile by
// a link is listed the slow way, through os.Root.
func openRootHandle(r *os.Root) (dirHandle, error) {
	fd, err := openat(unix.AT_FDCWD, r.Name(), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 8192)
	return fdHandle{fd: fd, name: r.Name(), buf: &buf}, nil
}

func (h fdHandle) entries() ([]Dirent, error) { return ReadDirFD(h.fd, *h.buf) }

// ReadDirFD lists the directory open as fd, sorted by name, without "."
// and "..", with the entry types getdents reports (no stat per entry). buf
// is the read buffer, reusable between calls. An entry of unknown type (a
// file system that does not fill d_type in) is an error: the caller lists
// that directory another way. It reads until getdents returns 0: one call
// can stop short of the end (seen on ext4 with a cold cache) and a single
// read would then lose entries.
func ReadDirFD(fd int, buf []byte) ([]Dirent, error) {
	var out []Dirent
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		if out, err = appendDirents(out, buf[:n]); err != nil {
			return nil, err
		}
	}
	sortDirents(out)
	return out, nil
}

// The records getdents fills in are struct linux_dirent64 (getdents(2),
// unix.Dirent): d_ino and d_off (8 bytes each), d_reclen (2), d_type (1),
// then the NUL-terminated name, the same on every Linux architecture. The
// type comes with the name, which is what spares a stat per entry.
// unix.ParseDirent reads the same records but keeps only the names.
// TestDirentOffsetsMatchUnixDirent pins the offsets to unix.Dirent.
const (
	direntReclenOff = 16
	direntTypeOff   = 18
	direntNameOff   = 19
)

// appendDirents appends the entries of a getdents buffer, without "." and
// "..".
func appendDirents(out []Dirent, b []byte) ([]Dirent, error) {
	for len(b) > direntNameOff {
		reclen := int(binary.NativeEndian.Uint16(b[direntReclenOff:]))
		if reclen <= direntNameOff || reclen > len(b) {
			return out, unix.EIO
		}
		rec := b[:reclen]
		b = b[reclen:]
		name := rec[direntNameOff:]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if string(name) == "." || string(name) == ".." {
			continue
		}
		typ, err := direntType(rec[direntTypeOff])
		if err != nil {
			return out, err
		}
		out = append(out, Dirent{Name: string(name), Type: typ})
	}
	return out, nil
}

// direntType maps a d_type.
func direntType(t byte) (fs.FileMode, error) {
	switch t {
	case unix.DT_DIR:
		return fs.ModeDir, nil
	case unix.DT_REG:
		return 0, nil
	case unix.DT_LNK:
		return fs.ModeSymlink, nil
	case unix.DT_FIFO:
		return fs.ModeNamedPipe, nil
	case unix.DT_SOCK:
		return fs.ModeSocket, nil
	case unix.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice, nil
	case unix.DT_BLK:
		return fs.ModeDevice, nil
	}
	// Unknown (file systems that do not fill d_type in): the caller
	// lists the directory through os.Root instead, which stats.
	return 0, errUnknownType
}

var errUnknownType = errors.New("directory entry of unknown type")

func (h fdHandle) sub(name string) (dirHandle, error) {
	fd, err := openat(h.fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return fdHandle{fd: fd, name: h.name + "/" + name, buf: h.buf}, nil
}

// open opens a regular file without blocking (see openContent): a file
// swapped for a FIFO after the listing is refused, not waited on. The
// fstat is the one Read needs anyway.
func (h fdHandle) open(name string) (fs.File, error) {
	fd, err := openat(h.fd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK)
	if err != nil {
		return nil, err
	}
	f := &fdFile{fd: fd, name: name}
	st, err := f.stat()
	if err == nil && st.Mode&unix.S_IFMT != unix.S_IFREG {
		err = notContent("open", name, "not a regular file")
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// fdFile is a file the loader reads: it is read whole with as few system
// calls as its size allows (io.ReadAll on an *os.File reads in growing
// steps, several calls for a manifest), then served from memory.
type fdFile struct {
	fd   int
	name string
	st   *unix.Stat_t
	data []byte // the content, once read
	read bool
	off  int
}

// maxPreload bounds what fdFile reads in one go; larger files (which the
// loader refuses to parse anyway) are read as they are asked for.
const maxPreload = 1 << 20

func (f *fdFile) stat() (*unix.Stat_t, error) {
	if f.st == nil {
		var st unix.Stat_t
		for {
			err := unix.Fstat(f.fd, &st)
			if err == nil {
				break
			}
			if err != unix.EINTR {
				return nil, &fs.PathError{Op: "stat", Path: f.name, Err: err}
			}
		}
		f.st = &st
	}
	return f.st, nil
}

func (f *fdFile) Stat() (fs.FileInfo, error) {
	st, err := f.stat()
	if err != nil {
		return nil, err
	}
	return fdInfo{name: f.name, st: st}, nil
}

func (f *fdFile) Read(p []byte) (int, error) {
	if !f.read {
		f.read = true
		st, err := f.stat()
		if err != nil {
			return 0, err
		}
		if st.Size < maxPreload {
			// One byte more than the size, to see the end in one call
			// when the size is right.
			if f.data, err = readFD(f.fd, int(st.Size)+1); err != nil {
				return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
			}
		}
	}
	if f.data == nil {
		return f.readDirect(p)
	}
	if f.off >= len(f.data) {
		return 0, io.EOF
	}
	n := copy(p, f.data[f.off:])
	f.off += n
	return n, nil
}

func (f *fdFile) readDirect(p []byte) (int, error) {
	for {
		n, err := unix.Read(f.fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// readFD reads to the end of the file, starting with a buffer of hint
// bytes.
func readFD(fd, hint int) ([]byte, error) {
	buf := make([]byte, 0, max(hint, 512))
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

func (f *fdFile) Close() error {
	if f.fd < 0 {
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	err := unix.Close(f.fd)
	f.fd = -1
	if err != nil {
		return &fs.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

// fdInfo is the file information of an fdFile.
type fdInfo struct {
	name string
	st   *unix.Stat_t
}

func (i fdInfo) Name() string { return i.name }
func (i fdInfo) Size() int64  { return i.st.Size }
func (i fdInfo) Mode() fs.FileMode {
	m := fs.FileMode(i.st.Mode & 0o777)
	if i.st.Mode&unix.S_IFMT == unix.S_IFDIR {
		m |= fs.ModeDir
	}
	return m
}
func (i fdInfo) ModTime() time.Time { return time.Unix(int64(i.st.Mtim.Sec), int64(i.st.Mtim.Nsec)) }
func (i fdInfo) IsDir() bool        { return i.Mode().IsDir() }
func (i fdInfo) Sys() any           { return i.st }

func openat(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func (h fdHandle) close() { unix.Close(h.fd) }

// notFoundErr is what os.Root reports for a missing name here; listedFS
// answers it itself for names it knows are absent.
var notFoundErr error = unix.ENOENT
