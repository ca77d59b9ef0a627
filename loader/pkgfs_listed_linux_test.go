package loader

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The record offsets appendDirents reads are those of unix.Dirent, the
// Go declaration of struct linux_dirent64 for this architecture.
func TestDirentOffsetsMatchUnixDirent(t *testing.T) {
	var d unix.Dirent
	for _, c := range []struct {
		field     string
		got, want uintptr
	}{
		{"Reclen", direntReclenOff, unsafe.Offsetof(d.Reclen)},
		{"Type", direntTypeOff, unsafe.Offsetof(d.Type)},
		{"Name", direntNameOff, unsafe.Offsetof(d.Name)},
	} {
		if c.got != c.want {
			t.Errorf("offset of %s: %d, unix.Dirent has %d", c.field, c.got, c.want)
		}
	}
}

// direntRecord builds one getdents record, padded to 8 bytes as the
// kernel pads them.
func direntRecord(name string, typ byte) []byte {
	reclen := (direntNameOff + len(name) + 1 + 7) &^ 7
	rec := make([]byte, reclen)
	binary.NativeEndian.PutUint64(rec, 42)
	binary.NativeEndian.PutUint16(rec[direntReclenOff:], uint16(reclen))
	rec[direntTypeOff] = typ
	copy(rec[direntNameOff:], name)
	return rec
}

func TestAppendDirents(t *testing.T) {
	join := func(recs ...[]byte) []byte { return slices.Concat(recs...) }
	truncated := direntRecord("cut.yml", unix.DT_REG)
	for _, c := range []struct {
		name    string
		buf     []byte
		want    []Dirent
		wantErr error
	}{
		{
			name: "types come with the names, dot entries are left out",
			buf: join(direntRecord(".", unix.DT_DIR), direntRecord("..", unix.DT_DIR),
				direntRecord("manifest.yml", unix.DT_REG), direntRecord("data_stream", unix.DT_DIR),
				direntRecord("link", unix.DT_LNK), direntRecord("a-name-longer-than-eight", unix.DT_REG)),
			want: []Dirent{{Name: "manifest.yml"}, {Name: "data_stream", Type: fs.ModeDir},
				{Name: "link", Type: fs.ModeSymlink}, {Name: "a-name-longer-than-eight"}},
		},
		{
			name:    "a record longer than the buffer is an I/O error",
			buf:     truncated[:len(truncated)-8],
			wantErr: unix.EIO,
		},
		{
			name:    "an unknown type sends the caller to the slow listing",
			buf:     direntRecord("x", unix.DT_UNKNOWN),
			wantErr: errUnknownType,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := appendDirents(nil, c.buf)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("error %v, want %v", err, c.wantErr)
			}
			if c.wantErr == nil && !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}
