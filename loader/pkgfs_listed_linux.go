package loader

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
	"unsafe"
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
	fd, err := openat(_AT_FDCWD, r.Name(), syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 8192)
	return fdHandle{fd: fd, name: r.Name(), buf: &buf}, nil
}

// _AT_FDCWD makes openat resolve a path from the working directory.
const _AT_FDCWD = -100

func (h fdHandle) entries() ([]dirent, error) {
	var out []dirent
	for {
		n, err := syscall.ReadDirent(h.fd, *h.buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		if out, err = h.parse((*h.buf)[:n], out); err != nil {
			return nil, err
		}
	}
	sortDirents(out)
	return out, nil
}

// parse appends the entries of a getdents64 buffer, without "." and "..".
func (h fdHandle) parse(b []byte, out []dirent) ([]dirent, error) {
	const (
		offReclen = unsafe.Offsetof(syscall.Dirent{}.Reclen)
		offType   = unsafe.Offsetof(syscall.Dirent{}.Type)
		offName   = unsafe.Offsetof(syscall.Dirent{}.Name)
	)
	for len(b) > int(offName) {
		reclen := int(*(*uint16)(unsafe.Pointer(&b[offReclen])))
		if reclen <= int(offName) || reclen > len(b) {
			return out, syscall.EIO
		}
		rec := b[:reclen]
		b = b[reclen:]
		name := rec[offName:]
		for i, c := range name {
			if c == 0 {
				name = name[:i]
				break
			}
		}
		if string(name) == "." || string(name) == ".." {
			continue
		}
		typ, err := direntType(rec[offType])
		if err != nil {
			return out, err
		}
		out = append(out, dirent{name: string(name), typ: typ})
	}
	return out, nil
}

// direntType maps a d_type.
func direntType(t byte) (fs.FileMode, error) {
	switch t {
	case syscall.DT_DIR:
		return fs.ModeDir, nil
	case syscall.DT_REG:
		return 0, nil
	case syscall.DT_LNK:
		return fs.ModeSymlink, nil
	case syscall.DT_FIFO:
		return fs.ModeNamedPipe, nil
	case syscall.DT_SOCK:
		return fs.ModeSocket, nil
	case syscall.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice, nil
	case syscall.DT_BLK:
		return fs.ModeDevice, nil
	}
	// Unknown (file systems that do not fill d_type in): the caller
	// lists the directory through os.Root instead, which stats.
	return 0, errUnknownType
}

var errUnknownType = errors.New("directory entry of unknown type")

func (h fdHandle) sub(name string) (dirHandle, error) {
	fd, err := openat(h.fd, name, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return fdHandle{fd: fd, name: h.name + "/" + name, buf: h.buf}, nil
}

func (h fdHandle) open(name string) (fs.File, error) {
	fd, err := openat(h.fd, name, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &fdFile{fd: fd, name: name}, nil
}

// fdFile is a file the loader reads: it is read whole with as few system
// calls as its size allows (io.ReadAll on an *os.File reads in growing
// steps, several calls for a manifest), then served from memory.
type fdFile struct {
	fd   int
	name string
	st   *syscall.Stat_t
	data []byte // the content, once read
	read bool
	off  int
}

// maxPreload bounds what fdFile reads in one go; larger files (which the
// loader refuses to parse anyway) are read as they are asked for.
const maxPreload = 1 << 20

func (f *fdFile) stat() (*syscall.Stat_t, error) {
	if f.st == nil {
		var st syscall.Stat_t
		for {
			err := syscall.Fstat(f.fd, &st)
			if err == nil {
				break
			}
			if err != syscall.EINTR {
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
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
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
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
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
	err := syscall.Close(f.fd)
	f.fd = -1
	if err != nil {
		return &fs.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

// fdInfo is the file information of an fdFile.
type fdInfo struct {
	name string
	st   *syscall.Stat_t
}

func (i fdInfo) Name() string { return i.name }
func (i fdInfo) Size() int64  { return i.st.Size }
func (i fdInfo) Mode() fs.FileMode {
	m := fs.FileMode(i.st.Mode & 0o777)
	if i.st.Mode&syscall.S_IFMT == syscall.S_IFDIR {
		m |= fs.ModeDir
	}
	return m
}
func (i fdInfo) ModTime() time.Time { return time.Unix(int64(i.st.Mtim.Sec), int64(i.st.Mtim.Nsec)) }
func (i fdInfo) IsDir() bool        { return i.Mode().IsDir() }
func (i fdInfo) Sys() any           { return i.st }

func openat(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := syscall.Openat(dirfd, name, flags, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

func (h fdHandle) close() { syscall.Close(h.fd) }

// notFoundErr is what os.Root reports for a missing name here; listedFS
// answers it itself for names it knows are absent.
var notFoundErr error = syscall.ENOENT
