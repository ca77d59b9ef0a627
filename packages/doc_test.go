package packages

import (
	"bytes"
	"strings"
	"testing"
)

func TestDocRoundTrip(t *testing.T) {
	for _, body := range [][]byte{nil, []byte("{}\n"), []byte(strings.Repeat(`{"name": "x"},`+"\n", 5000))} {
		d, err := NewDoc(body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, body) || d.Len() != len(body) {
			t.Errorf("round trip of %d bytes gave %d bytes", len(body), len(got))
		}
		if len(body) > 1000 && d.CompressedLen()*10 > len(body) {
			t.Errorf("%d bytes compressed to %d", len(body), d.CompressedLen())
		}
		// Every call returns its own copy.
		if len(got) > 0 {
			got[0] = '!'
			again, _ := d.Bytes()
			if again[0] == '!' {
				t.Error("Bytes returned shared memory")
			}
		}
	}
}
