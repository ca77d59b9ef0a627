package loader

import (
	"archive/zip"
	"errors"
	"io"
)

// zipEntryReader reads a compressed zip entry as an io.ReadSeeker without
// holding it in memory: a few hundred kilobytes of deflate data can expand
// to hundreds of megabytes, and every request for such a file would
// otherwise allocate all of it. Seeking forward skips decompressed data;
// seeking backward starts decompressing again from the beginning
// (http.ServeContent only seeks backward to rewind after sniffing, and the
// server keeps multi-range requests in ascending order).
type zipEntryReader struct {
	open func() (io.ReadCloser, error) // a decompressor from the start
	size int64
	pos  int64 // where the next Read starts

	rc    io.ReadCloser // open decompressor, nil before the first Read
	rcPos int64         // offset of rc in the decompressed data
}

func newZipEntryReader(zf *zip.File) (*zipEntryReader, error) {
	// Opening once up front reports unsupported methods at Open time.
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	r := newEntryReader(int64(zf.UncompressedSize64), zf.Open)
	r.rc = rc
	return r, nil
}

// newEntryReader reads size bytes of decompressed data, from
// decompressors open gives.
func newEntryReader(size int64, open func() (io.ReadCloser, error)) *zipEntryReader {
	return &zipEntryReader{open: open, size: size}
}

func (r *zipEntryReader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if r.rc == nil || r.rcPos > r.pos {
		if err := r.reopen(); err != nil {
			return 0, err
		}
	}
	if skip := r.pos - r.rcPos; skip > 0 {
		n, err := io.CopyN(io.Discard, r.rc, skip)
		r.rcPos += n
		if err != nil {
			return 0, unexpectedEOF(err)
		}
	}
	if rest := r.size - r.pos; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := r.rc.Read(p)
	r.pos += int64(n)
	r.rcPos += int64(n)
	if err == io.EOF && r.pos < r.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (r *zipEntryReader) reopen() error {
	if r.rc != nil {
		r.rc.Close()
		r.rc = nil
	}
	rc, err := r.open()
	if err != nil {
		return err
	}
	r.rc, r.rcPos = rc, 0
	return nil
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

var errZipSeek = errors.New("zip entry: invalid seek")

func (r *zipEntryReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errZipSeek
	}
	if offset < 0 {
		return 0, errZipSeek
	}
	r.pos = offset
	return offset, nil
}

func (r *zipEntryReader) Close() error {
	if r.rc == nil {
		return nil
	}
	err := r.rc.Close()
	r.rc = nil
	return err
}
