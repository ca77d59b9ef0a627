package loader

import (
	"fmt"
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
	x := newNameIndex(names)
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
	}
	cases := []struct {
		name string
		x    nameIndex
	}{
		{"a", x}, {"abc", x}, {"", x}, {"ab\x00", x}, {"docs/1000/file.md", x},
		{"docs/1/file.md\x00docs", x}, {".", newNameIndex(nil)},
	}
	for _, c := range cases {
		if i, ok := c.x.lookup(c.name); ok {
			t.Errorf("lookup(%q) found entry %d", c.name, i)
		}
	}
}
