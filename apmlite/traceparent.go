package apmlite

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
)

// W3C trace-context headers (https://www.w3.org/TR/trace-context/). The
// Elastic-prefixed traceparent is what older Elastic agents send; it is
// read as a fallback.
const (
	headerTraceparent        = "Traceparent"
	headerTracestate         = "Tracestate"
	headerElasticTraceparent = "Elastic-Apm-Traceparent"
)

// TraceID identifies a trace (16 bytes, hex on the wire).
type TraceID [16]byte

// SpanID identifies a transaction or a span (8 bytes, hex on the wire).
type SpanID [8]byte

func (id TraceID) String() string { return hex.EncodeToString(id[:]) }

func (id SpanID) String() string { return hex.EncodeToString(id[:]) }

// MarshalText makes ids hex strings in the intake JSON.
func (id TraceID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

func (id SpanID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

func (id TraceID) isZero() bool { return id == TraceID{} }

func (id SpanID) isZero() bool { return id == SpanID{} }

// Ids only need to be unique, not secret: math/rand/v2's generator is
// safe for concurrent use and much cheaper than crypto/rand per request.
func newTraceID() TraceID {
	var id TraceID
	for id.isZero() {
		binary.LittleEndian.PutUint64(id[:8], rand.Uint64())
		binary.LittleEndian.PutUint64(id[8:], rand.Uint64())
	}
	return id
}

func newSpanID() SpanID {
	var id SpanID
	for id.isZero() {
		binary.LittleEndian.PutUint64(id[:], rand.Uint64())
	}
	return id
}

// traceParent is a parsed traceparent header.
type traceParent struct {
	traceID  TraceID
	parentID SpanID
	sampled  bool
}

// parseTraceparent reads "<version>-<trace-id>-<parent-id>-<flags>". Version
// 00 must be exactly that; later versions may append "-..." fields, which
// are ignored as the W3C spec asks. Anything invalid is ignored by the
// caller and a new trace starts.
func parseTraceparent(v string) (traceParent, bool) {
	v = strings.TrimSpace(v)
	const size = 55 // 2+1+32+1+16+1+2
	if len(v) < size || v[2] != '-' || v[35] != '-' || v[52] != '-' {
		return traceParent{}, false
	}
	version, ok := hexByte(v[0:2])
	if !ok || version == 0xff || (version == 0 && len(v) != size) || (len(v) > size && v[size] != '-') {
		return traceParent{}, false
	}
	var tp traceParent
	if _, err := hex.Decode(tp.traceID[:], []byte(v[3:35])); err != nil || tp.traceID.isZero() {
		return traceParent{}, false
	}
	if _, err := hex.Decode(tp.parentID[:], []byte(v[36:52])); err != nil || tp.parentID.isZero() {
		return traceParent{}, false
	}
	flags, ok := hexByte(v[53:55])
	if !ok {
		return traceParent{}, false
	}
	tp.sampled = flags&1 == 1
	return tp, true
}

func hexByte(s string) (byte, bool) {
	var b [1]byte
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return 0, false
	}
	return b[0], true
}

// formatTraceparent is the version-00 header for the given parent.
func formatTraceparent(trace TraceID, parent SpanID, sampled bool) string {
	var b [55]byte
	copy(b[:], "00-")
	hex.Encode(b[3:35], trace[:])
	b[35] = '-'
	hex.Encode(b[36:52], parent[:])
	copy(b[52:], "-00")
	if sampled {
		b[54] = '1'
	}
	return string(b[:])
}

// incomingTraceParent reads the trace context of an incoming request.
func incomingTraceParent(h http.Header) (traceParent, bool) {
	for _, name := range []string{headerTraceparent, headerElasticTraceparent} {
		if v := h.Get(name); v != "" {
			if tp, ok := parseTraceparent(v); ok {
				return tp, true
			}
		}
	}
	return traceParent{}, false
}

// maxTracestate is the W3C limit a vendor must accept; longer values are
// dropped rather than truncated, since truncating could cut an entry.
const maxTracestate = 512

// cleanTracestate returns the incoming tracestate if it is safe to send
// on: printable ASCII within the size limit. Anything else is dropped so a
// hostile header can never make an outgoing proxy request invalid.
func cleanTracestate(values []string) string {
	v := strings.TrimSpace(strings.Join(values, ","))
	if len(v) > maxTracestate {
		return ""
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return ""
		}
	}
	return v
}

// tracestateSampleRate reads the Elastic entry "es=s:<rate>" of a
// tracestate: the sample rate the trace's root used.
func tracestateSampleRate(ts string) (float64, bool) {
	for _, member := range strings.Split(ts, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(member), "=")
		if !ok || key != "es" {
			continue
		}
		for _, attr := range strings.Split(value, ";") {
			if rate, ok := strings.CutPrefix(attr, "s:"); ok {
				r, err := strconv.ParseFloat(rate, 64)
				if err != nil || r < 0 || r > 1 {
					return 0, false
				}
				return r, true
			}
		}
	}
	return 0, false
}

// rootTracestate is the tracestate a new trace starts with: the Elastic
// entry carrying the sample rate, so downstream services can extrapolate
// throughput.
func rootTracestate(rate float64) string {
	return "es=s:" + strconv.FormatFloat(rate, 'g', -1, 64)
}
