package loader

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Manifests are read the way upstream reads them (go-ucfg over yaml.v2), so
// plain scalars follow YAML 1.1 rather than the YAML 1.2 rules yaml.v3 would
// apply.

// yaml11Literals are the plain scalars that resolve by exact spelling; other
// spellings (e.g. "yES") stay strings, as in yaml.v2.
var yaml11Literals = map[string]any{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"true": true, "True": true, "TRUE": true,
	"on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false,
	"false": false, "False": false, "FALSE": false,
	"off": false, "Off": false, "OFF": false,
	"": nil, "~": nil, "null": nil, "Null": nil, "NULL": nil,
	".nan": math.NaN(), ".NaN": math.NaN(), ".NAN": math.NaN(),
	".inf": math.Inf(1), ".Inf": math.Inf(1), ".INF": math.Inf(1),
	"+.inf": math.Inf(1), "+.Inf": math.Inf(1), "+.INF": math.Inf(1),
	"-.inf": math.Inf(-1), "-.Inf": math.Inf(-1), "-.INF": math.Inf(-1),
}

var yaml11Float = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// resolvePlainScalar gives the value of an untagged plain scalar: nil, bool,
// int64, uint64, float64 or string.
func resolvePlainScalar(s string) any {
	if v, ok := yaml11Literals[s]; ok {
		return v
	}
	if s == "" {
		return nil
	}
	switch c := s[0]; {
	case c == '.':
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		return resolveNumeric(s)
	}
	return s
}

// resolveNumeric handles scalars starting with a digit or a sign: int64,
// then uint64, then a YAML-style float, in yaml.v2's order. Underscores are
// digit separators; Go's base prefixes (0x, 0o, 0b, leading 0 for octal)
// apply. Timestamps such as 2024-01-01 match none of these and stay strings.
func resolveNumeric(s string) any {
	plain := strings.ReplaceAll(s, "_", "")
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return i
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return u
	}
	if yaml11Float.MatchString(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return f
		}
	}
	return s
}

// scalarTypeName names a resolved scalar in decoding errors.
func scalarTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64:
		return "int"
	case uint64:
		return "uint"
	case float64:
		return "float"
	case string:
		return "string"
	}
	return "object"
}
