package packages

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// Doc is the /package/{name}/{version}/ document of a package, rendered
// once when the package is indexed and kept compressed: the document is
// about 7 KB of JSON per version, its compressed form a sixth of that.
// What is kept is the compact JSON; Bytes indents it, which gives exactly
// what MarshalIndentJSON writes (the JSON encoder indents its compact
// output the same way), for a smaller and faster start-up.
// A Doc never changes; a package whose document changes gets a new Doc, so
// callers may cache the bytes per *Doc.
type Doc struct {
	z    []byte // raw DEFLATE stream of the compact document
	size int    // length of the compact document
}

// flateWriters recycles compressors: a flate.Writer allocates about 600 KB.
// The fastest level costs a sixth more bytes than the default one for half
// the time, which start-up needs more.
var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

// RenderDoc renders the document of a complete package.
func RenderDoc(p *Package) (*Doc, error) {
	var buf bytes.Buffer
	if err := encodeCompact(&buf, p); err != nil {
		return nil, err
	}
	return newDoc(buf.Bytes())
}

// encodeCompact is MarshalIndentJSON without the indentation.
func encodeCompact(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// newDoc keeps a compact JSON document.
func newDoc(compact []byte) (*Doc, error) {
	var buf bytes.Buffer
	buf.Grow(len(compact)/4 + 64)
	w := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(compact); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &Doc{z: bytes.Clone(buf.Bytes()), size: len(compact)}, nil
}

// CompressedLen is what the document takes in memory.
func (d *Doc) CompressedLen() int { return len(d.z) }

// Bytes renders the document as MarshalIndentJSON does, into a new slice.
func (d *Doc) Bytes() ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(d.z))
	defer r.Close()
	compact := make([]byte, d.size)
	if _, err := io.ReadFull(r, compact); err != nil {
		return nil, fmt.Errorf("decompressing package document: %w", err)
	}
	var out bytes.Buffer
	// Indenting adds about a third: two spaces per level and a line per
	// value.
	out.Grow(d.size + d.size/2)
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return nil, fmt.Errorf("indenting package document: %w", err)
	}
	return out.Bytes(), nil
}
