package packages

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// SearchJSON renders a /search answer: sorted by name then version,
// each package projected to the search summary (docs/api.md). An empty
// list renders as "[]" without a newline. The input is not reordered.
func SearchJSON(pkgs Packages) ([]byte, error) {
	sorted := SortForSearch(pkgs)
	items := make([][]byte, len(sorted))
	for i, p := range sorted {
		b, err := SearchItemJSON(p)
		if err != nil {
			return nil, err
		}
		items[i] = b
	}
	return JoinSearchItems(items), nil
}

// SortForSearch returns a copy of pkgs in /search order: name byte-wise,
// then semver precedence; equal entries keep their order.
func SortForSearch(pkgs Packages) Packages {
	sorted := slices.Clone(pkgs)
	slices.SortStableFunc(sorted, func(a, b *Package) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return versionOf(a).Compare(versionOf(b))
	})
	return sorted
}

// searchItemPrefix is the indentation of an element of the top-level array.
const searchItemPrefix = "  "

// SearchItemJSON renders the search summary of one package exactly as it
// appears as an element of the /search array: indented one level, first
// line unindented, no trailing newline. The bytes depend only on p, so
// callers may cache them per package; a category-pruned copy is a different
// package and must not reuse the original's bytes.
func SearchItemJSON(p *Package) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(searchItemPrefix, "  ")
	if err := enc.Encode(newSearchItem(p)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// JoinSearchItems assembles SearchItemJSON outputs into the /search body,
// byte-identical to encoding the whole list with MarshalIndentJSON; no
// items gives "[]" without a newline, as upstream's /search does.
func JoinSearchItems(items [][]byte) []byte {
	if len(items) == 0 {
		return []byte("[]")
	}
	n := 4
	for _, it := range items {
		n += len(it) + len(searchItemPrefix) + 2
	}
	out := make([]byte, 0, n)
	out = append(out, "[\n"...)
	for i, it := range items {
		if i > 0 {
			out = append(out, ",\n"...)
		}
		out = append(out, searchItemPrefix...)
		out = append(out, it...)
	}
	out = append(out, "\n]\n"...)
	return out
}
