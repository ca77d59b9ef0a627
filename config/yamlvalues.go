package config

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// Scalar conversion rules of the config file, modelled on go-ucfg:
// strings take the literal scalar text, durations are Go duration strings
// or bare numbers of seconds, a null value keeps the default.

func resolveAlias(n *yaml.Node) *yaml.Node {
	// Aliases of aliases are rejected by the YAML parser (no cycles), but
	// bound the walk anyway.
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// kindName names a node's type in error texts the way go-ucfg does.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "object"
	case yaml.SequenceNode:
		return "[]interface {}"
	}
	switch n.ShortTag() {
	case "!!bool":
		return "bool"
	case "!!int":
		return "int"
	case "!!float":
		return "float"
	}
	return "string"
}

func mismatch(n *yaml.Node, want, key string) error {
	return &keyError{key: key, err: fmt.Errorf("can not convert '%s' into '%s'", kindName(n), want)}
}

func stringField(get func(*File) *string) func(*yaml.Node, string, *File) error {
	return func(n *yaml.Node, key string, f *File) error {
		if isNull(n) {
			return nil
		}
		if n.Kind != yaml.ScalarNode {
			return mismatch(n, "string", key)
		}
		*get(f) = n.Value
		return nil
	}
}

// decodeStringList accepts a sequence of scalars or a single scalar (a
// one-element list). nil means "not set".
func decodeStringList(n *yaml.Node, key string) ([]string, error) {
	switch {
	case isNull(n):
		return nil, nil
	case n.Kind == yaml.ScalarNode:
		return []string{n.Value}, nil
	case n.Kind != yaml.SequenceNode:
		return nil, mismatch(n, "[]string", key)
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		item = resolveAlias(item)
		switch {
		case isNull(item):
			out = append(out, "")
		case item.Kind == yaml.ScalarNode:
			out = append(out, item.Value)
		default:
			return nil, mismatch(item, "string", fmt.Sprintf("%s.%d", key, i))
		}
	}
	return out, nil
}

func durationField(get func(*File) *time.Duration) func(*yaml.Node, string, *File) error {
	return func(n *yaml.Node, key string, f *File) error {
		if isNull(n) {
			return nil
		}
		d, err := decodeDuration(n)
		if err != nil {
			return &keyError{key: key, err: err}
		}
		*get(f) = d
		return nil
	}
}

func decodeDuration(n *yaml.Node) (time.Duration, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf("can not convert '%s' into 'duration'", kindName(n))
	}
	switch n.ShortTag() {
	case "!!str":
		return time.ParseDuration(n.Value)
	case "!!int", "!!float":
		// Bare numbers are seconds, fractions allowed (1.5 → 1.5s).
		var seconds float64
		if err := n.Decode(&seconds); err != nil {
			return 0, err
		}
		d := seconds * float64(time.Second)
		if math.IsNaN(d) || math.IsInf(d, 0) || d > math.MaxInt64 || d < math.MinInt64 {
			return 0, fmt.Errorf("duration out of range: %s", n.Value)
		}
		return time.Duration(d), nil
	}
	return 0, fmt.Errorf("can not convert '%s' into 'duration'", kindName(n))
}

func intField(get func(*File) *int) func(*yaml.Node, string, *File) error {
	return func(n *yaml.Node, key string, f *File) error {
		if isNull(n) {
			return nil
		}
		v, err := decodeInt(n)
		if err != nil {
			return &keyError{key: key, err: err}
		}
		*get(f) = v
		return nil
	}
}

func decodeInt(n *yaml.Node) (int, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf("can not convert '%s' into 'int'", kindName(n))
	}
	switch n.ShortTag() {
	case "!!int":
		var v int
		if err := n.Decode(&v); err != nil {
			return 0, err
		}
		return v, nil
	case "!!str":
		v, err := strconv.ParseInt(n.Value, 0, strconv.IntSize)
		return int(v), err
	case "!!float":
		var v float64
		if err := n.Decode(&v); err != nil {
			return 0, err
		}
		if v != math.Trunc(v) || v > math.MaxInt || v < math.MinInt {
			return 0, fmt.Errorf("can not convert '%s' into 'int'", n.Value)
		}
		return int(v), nil
	}
	return 0, fmt.Errorf("can not convert '%s' into 'int'", kindName(n))
}
