//go:build ignore

// favicon_gen writes favicon.ico: a 16x16, 32-bit BMP icon (a teal square
// with a lighter "E"), so the registry ships an icon of its own.
//
//	go run favicon_gen.go
package main

import (
	"bytes"
	"encoding/binary"
	"log"
	"os"
)

const size = 16

func main() {
	var img bytes.Buffer
	le := binary.LittleEndian
	// BITMAPINFOHEADER; an icon's height counts the XOR and AND bitmaps.
	for _, v := range []any{
		uint32(40), int32(size), int32(2 * size), uint16(1), uint16(32),
		uint32(0), uint32(size * size * 4), int32(0), int32(0), uint32(0), uint32(0),
	} {
		must(binary.Write(&img, le, v))
	}
	// Pixels are stored bottom-up, as BGRA.
	for y := size - 1; y >= 0; y-- {
		for x := 0; x < size; x++ {
			b, g, r := byte(0x9b), byte(0x7c), byte(0x00)
			if letterE(x, y) {
				b, g, r = 0xf0, 0xf0, 0xf0
			}
			img.Write([]byte{b, g, r, 0xff})
		}
	}
	// AND mask: all opaque; rows are padded to 32 bits.
	img.Write(make([]byte, size*4))

	var ico bytes.Buffer
	for _, v := range []any{uint16(0), uint16(1), uint16(1)} { // ICONDIR
		must(binary.Write(&ico, le, v))
	}
	for _, v := range []any{ // ICONDIRENTRY
		uint8(size), uint8(size), uint8(0), uint8(0), uint16(1), uint16(32),
		uint32(img.Len()), uint32(6 + 16),
	} {
		must(binary.Write(&ico, le, v))
	}
	ico.Write(img.Bytes())
	must(os.WriteFile("favicon.ico", ico.Bytes(), 0o644))
}

func letterE(x, y int) bool {
	if x < 4 || x > 11 || y < 3 || y > 12 {
		return false
	}
	return x <= 5 || y <= 4 || y >= 11 || (y >= 7 && y <= 8 && x <= 10)
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
