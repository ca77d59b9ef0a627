package loader

import (
	"encoding/binary"
	"hash/maphash"
	"unique"
)

// nameIndex is a set of names in insertion order, each marked file or
// folder, looked up in constant time. The file index of every local
// package stays in memory for as long as the package is served, so it is
// packed into one string (a Go map of strings took about as much again as
// all the rest of a loaded package) and interned: the versions of a
// package mostly hold the same files, and identical listings then share
// one copy. The layout, little-endian:
//
//	starts  n × uint32   where each name starts in the names
//	slots   m × uint32   open addressing: entry number + 1; 0 when free
//	dirs    n × byte     1 for a folder
//	names               each followed by a NUL
type nameIndex struct {
	data  unique.Handle[string]
	n, m  int
	names int // offset of the names in data
}

// nameSeed hashes the names of every index of the process: listings are
// shared only if their slots are laid out alike. It is set once.
var nameSeed = maphash.MakeSeed()

func newNameIndex(names []string, dirs []bool) nameIndex {
	// At most half full, so probe sequences stay short.
	m := 2
	for m < 2*len(names) {
		m <<= 1
	}
	n := len(names)
	size := 4*n + 4*m + n
	for _, name := range names {
		size += len(name) + 1
	}
	buf := make([]byte, 4*n+4*m+n, size)
	x := nameIndex{n: n, m: m, names: 4*n + 4*m + n}
	for i, name := range names {
		binary.LittleEndian.PutUint32(buf[4*i:], uint32(len(buf)-x.names))
		buf = append(buf, name...)
		buf = append(buf, 0)
		if dirs[i] {
			buf[4*n+4*m+i] = 1
		}
	}
	for i, name := range names {
		s := home(name, m)
		for binary.LittleEndian.Uint32(buf[4*n+4*s:]) != 0 {
			s = (s + 1) & (m - 1)
		}
		binary.LittleEndian.PutUint32(buf[4*n+4*s:], uint32(i+1))
	}
	x.data = unique.Make(string(buf))
	return x
}

func home(name string, m int) int {
	return int(maphash.String(nameSeed, name) & uint64(m-1))
}

func u32(s string, off int) int {
	return int(uint32(s[off]) | uint32(s[off+1])<<8 | uint32(s[off+2])<<16 | uint32(s[off+3])<<24)
}

func (x *nameIndex) len() int { return x.n }

// name is entry i's name, a substring of the index (no allocation).
func (x *nameIndex) name(i int) string {
	d := x.data.Value()
	names := d[x.names:]
	end := len(names)
	if i+1 < x.n {
		end = u32(d, 4*(i+1))
	}
	return names[u32(d, 4*i) : end-1]
}

// dir tells whether entry i is a folder.
func (x *nameIndex) dir(i int) bool {
	return x.data.Value()[4*x.n+4*x.m+i] == 1
}

// lookup gives the entry number of name.
func (x *nameIndex) lookup(name string) (int, bool) {
	if x.n == 0 {
		return 0, false
	}
	d := x.data.Value()
	for s := home(name, x.m); ; s = (s + 1) & (x.m - 1) {
		e := u32(d, 4*x.n+4*s)
		if e == 0 {
			return 0, false
		}
		if x.name(e-1) == name {
			return e - 1, true
		}
	}
}

// filesBuilder collects the entries of a Files, dropping repeated names.
// For a zip package (isZip) it keeps a zipRef per entry, by entry number;
// folders get an empty one.
type filesBuilder struct {
	isZip bool
	names []string
	dirs  []bool
	zips  []zipRef
	seen  map[string]struct{}
}

func (b *filesBuilder) add(name string, dir bool, z *zipRef) {
	if b.seen == nil {
		b.seen = map[string]struct{}{}
	}
	if _, dup := b.seen[name]; dup {
		return
	}
	b.seen[name] = struct{}{}
	b.names = append(b.names, name)
	b.dirs = append(b.dirs, dir)
	if b.isZip {
		var ref zipRef
		if z != nil {
			ref = *z
		}
		b.zips = append(b.zips, ref)
	}
}
