package server

import (
	"math"
	"net/http"
	"strconv"
	"strings"
)

// maxRanges is the most ranges of one request served as a multipart
// answer. Real clients (download resumers, Fleet) ask for one range.
const maxRanges = 16

// limitRanges returns r without its Range header when the header asks for
// many ranges, or several ranges that overlap or are out of order, so that
// http.ServeContent answers 200 with the whole file instead. Go checks only
// that the ranges add up to no more than the file, which still lets a 1 MB
// header of "0-0," ranges buy a multipart body of megabytes of part headers,
// and lets out-of-order ranges make zip entries decompress again and again.
// RFC 9110 (section 14.2) allows a server to ignore such a header. Malformed headers
// are left to ServeContent, which answers 416.
func limitRanges(r *http.Request) *http.Request {
	h := r.Header.Get("Range")
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || !strings.Contains(spec, ",") || !ignoreRanges(spec) {
		return r
	}
	r2 := *r
	r2.Header = r.Header.Clone()
	r2.Header.Del("Range")
	return &r2
}

// ignoreRanges tells whether a well-formed multi-range spec should be
// ignored; a malformed one answers false.
func ignoreRanges(spec string) bool {
	count := 0
	ignore := false
	next := int64(0) // first byte the next range may start at
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		count++
		first, last, ok := strings.Cut(part, "-")
		if !ok {
			return false
		}
		first, last = strings.TrimSpace(first), strings.TrimSpace(last)
		if first == "" {
			// A suffix range: its place depends on the size, so it cannot
			// be checked for order; several ranges with one are ignored.
			if _, err := strconv.ParseInt(last, 10, 64); err != nil {
				return false
			}
			ignore = true
			continue
		}
		start, err := strconv.ParseInt(first, 10, 64)
		if err != nil || start < 0 {
			return false
		}
		if start < next {
			ignore = true
		}
		if last == "" {
			next = math.MaxInt64 // to the end: nothing may follow
			continue
		}
		end, err := strconv.ParseInt(last, 10, 64)
		if err != nil || end < start {
			return false
		}
		next = end
		if end < math.MaxInt64 {
			next++
		}
	}
	return ignore || count > maxRanges
}
