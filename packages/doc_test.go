package packages

import (
	"bytes"
	"strings"
	"testing"
)

// A document comes back exactly as MarshalIndentJSON renders the value,
// HTML characters and nested free-form values included.
func TestDocRoundTrip(t *testing.T) {
	values := []any{
		map[string]any{},
		[]any{"<b>&</b>", 1.5, nil, true, map[string]any{"k": []any{}}},
		&Package{Name: "x<y>", Version: "1.0.0", Vars: []Variable{{Name: "v", Default: &Value{V: map[string]any{"a": "<&>"}}}}},
		strings.Repeat("long text ", 2000),
	}
	for _, v := range values {
		want, err := MarshalIndentJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		var d *Doc
		if p, ok := v.(*Package); ok {
			d, err = RenderDoc(p)
		} else {
			d, err = renderValue(v)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
		if len(want) > 10000 && d.CompressedLen()*10 > len(want) {
			t.Errorf("%d bytes kept for %d", d.CompressedLen(), len(want))
		}
		// Every call returns its own copy.
		got[0] = '!'
		if again, _ := d.Bytes(); again[0] == '!' {
			t.Error("Bytes returned shared memory")
		}
	}
}

func renderValue(v any) (*Doc, error) {
	var buf bytes.Buffer
	if err := encodeCompact(&buf, v); err != nil {
		return nil, err
	}
	return newDoc(buf.Bytes())
}
