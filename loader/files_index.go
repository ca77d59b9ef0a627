package loader

import (
	"hash/maphash"
	"strings"
)

// nameIndex is a set of names in insertion order, looked up in constant
// time and packed to cost little more memory than the names themselves:
// the file index of every local package stays in memory for as long as
// the package is served, and a Go map of strings took about as much again
// as all the rest of a loaded package.
type nameIndex struct {
	blob   string   // the names, each followed by a NUL
	starts []uint32 // where each name starts in blob
	slots  []uint32 // open addressing: entry number + 1; 0 when free
	seed   maphash.Seed
}

func newNameIndex(names []string) nameIndex {
	var b strings.Builder
	starts := make([]uint32, len(names))
	for i, name := range names {
		starts[i] = uint32(b.Len())
		b.WriteString(name)
		b.WriteByte(0)
	}
	// At most half full, so probe sequences stay short.
	size := 2
	for size < 2*len(names) {
		size <<= 1
	}
	x := nameIndex{blob: b.String(), starts: starts, slots: make([]uint32, size), seed: maphash.MakeSeed()}
	mask := size - 1
	for i, name := range names {
		s := x.home(name)
		for x.slots[s] != 0 {
			s = (s + 1) & mask
		}
		x.slots[s] = uint32(i + 1)
	}
	return x
}

func (x *nameIndex) home(name string) int {
	return int(maphash.String(x.seed, name) & uint64(len(x.slots)-1))
}

func (x *nameIndex) len() int { return len(x.starts) }

// name is entry i's name, a substring of the blob (no allocation).
func (x *nameIndex) name(i int) string {
	end := len(x.blob)
	if i+1 < len(x.starts) {
		end = int(x.starts[i+1])
	}
	return x.blob[x.starts[i] : end-1]
}

// lookup gives the entry number of name.
func (x *nameIndex) lookup(name string) (int, bool) {
	if len(x.slots) == 0 {
		return 0, false
	}
	mask := len(x.slots) - 1
	for s := x.home(name); x.slots[s] != 0; s = (s + 1) & mask {
		if i := int(x.slots[s] - 1); x.name(i) == name {
			return i, true
		}
	}
	return 0, false
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
