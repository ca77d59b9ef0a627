package loader

import (
	"fmt"
	"slices"
	"testing"
)

// Every name is found at its entry number, and nothing else is: not a
// prefix or an extension of a name, not the empty name.
func TestNameIndexLookup(t *testing.T) {
	var names []string
	for i := range 1000 {
		names = append(names, fmt.Sprintf("docs/%d/file.md", i))
	}
	names = append(names, ".", "ab")
	dirs := make([]bool, len(names))
	for i := range dirs {
		dirs[i] = i%3 == 0
	}
	x := newNameIndex(names, dirs)
	if x.len() != len(names) {
		t.Fatalf("len %d, want %d", x.len(), len(names))
	}
	for i, name := range names {
		if got, ok := x.lookup(name); !ok || got != i {
			t.Errorf("lookup(%q) = %d, %v; want %d", name, got, ok, i)
		}
		if got := x.name(i); got != name {
			t.Errorf("name(%d) = %q, want %q", i, got, name)
		}
		if x.dir(i) != dirs[i] {
			t.Errorf("dir(%d) = %v, want %v", i, x.dir(i), dirs[i])
		}
	}
	cases := []struct {
		name string
		x    nameIndex
	}{
		{"a", x}, {"abc", x}, {"", x}, {"ab\x00", x}, {"docs/1000/file.md", x},
		{"docs/1/file.md\x00docs", x}, {".", newNameIndex(nil, nil)},
	}
	for _, c := range cases {
		if i, ok := c.x.lookup(c.name); ok {
			t.Errorf("lookup(%q) found entry %d", c.name, i)
		}
	}
}

// Identical listings (the versions of a package mostly hold the same
// files) share one copy of the index; different ones do not.
func TestNameIndexShared(t *testing.T) {
	names := []string{".", "docs", "docs/README.md", "manifest.yml"}
	dirs := []bool{true, true, false, false}
	a, b := newNameIndex(names, dirs), newNameIndex(slices.Clone(names), slices.Clone(dirs))
	if a.data != b.data {
		t.Error("two identical listings are stored twice")
	}
	dirs[3] = true
	if c := newNameIndex(names, dirs); c.data == a.data || !c.dir(3) || a.dir(3) {
		t.Error("listings that differ share their index")
	}
}
