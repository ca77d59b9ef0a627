package loader

import (
	"fmt"
	"strconv"

	"github.com/eprgo/package-registry/packages"
)

// decoder reads typed values out of a YAML tree (see yaml_tree.go) with the
// coercion rules of upstream's configuration library (go-ucfg): scalars are
// converted to the target type, null means "not set", unknown keys are ignored.
// The first error is kept and every later call is a no-op, so decoding functions
// read as a flat list of fields in upstream's field order, which is also the
// order in which errors are reported.
type decoder struct {
	err error
}

// node is a mapping being decoded, with its dotted path for error messages.
type node struct {
	m    *yamlMap
	path string
}

func (n node) child(key string) string {
	if n.path == "" {
		return key
	}
	return n.path + "." + key
}

func (n node) lookup(key string) any {
	if n.m == nil {
		return nil
	}
	v, _ := n.m.get(key)
	return v
}

func (n node) has(key string) bool {
	return n.lookup(key) != nil
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func conversionError(v any, to, path string) error {
	return fmt.Errorf("can not convert '%s' into '%s' accessing '%s'", scalarTypeName(v), to, path)
}

// scalarString prints a scalar the way the configuration library converts
// it into a string field: Go formatting of the YAML 1.1 value.
func scalarString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	case int64:
		return strconv.FormatInt(t, 10), true
	case uint64:
		return strconv.FormatUint(t, 10), true
	case float64:
		return fmt.Sprintf("%v", t), true
	}
	return "", false
}

// str sets *dst when the key holds a non-null scalar.
func (d *decoder) str(n node, key string, dst *string) {
	if d.err != nil {
		return
	}
	v := n.lookup(key)
	if v == nil {
		return
	}
	s, ok := scalarString(v)
	if !ok {
		d.fail(conversionError(v, "string", n.child(key)))
		return
	}
	*dst = s
}

// strPtr is str for fields whose presence is observable (title).
func (d *decoder) strPtr(n node, key string, dst **string) {
	var s string
	if d.err != nil || !n.has(key) {
		return
	}
	d.str(n, key, &s)
	if d.err == nil {
		*dst = &s
	}
}

// required is str for fields tagged required upstream: absent, null and
// empty all fail, and this cannot be switched off.
func (d *decoder) required(n node, key string, dst *string) {
	d.str(n, key, dst)
	if d.err == nil && *dst == "" {
		d.fail(fmt.Errorf("string value is not set accessing '%s'", n.child(key)))
	}
}

func (d *decoder) boolean(n node, key string, dst *bool) {
	if d.err != nil {
		return
	}
	v := n.lookup(key)
	switch t := v.(type) {
	case nil:
	case bool:
		*dst = t
	case string:
		b, err := strconv.ParseBool(t)
		if err != nil {
			d.fail(conversionError(v, "bool", n.child(key)))
			return
		}
		*dst = b
	default:
		d.fail(conversionError(v, "bool", n.child(key)))
	}
}

func (d *decoder) boolPtr(n node, key string, dst **bool) {
	var b bool
	if d.err != nil || !n.has(key) {
		return
	}
	d.boolean(n, key, &b)
	if d.err == nil {
		*dst = &b
	}
}

// items returns the elements of a list field. A single value counts as a
// one-element list and a mapping as an empty one, as upstream's library
// does when it unpacks into a slice.
func (d *decoder) items(n node, key string) []any {
	if d.err != nil {
		return nil
	}
	switch t := n.lookup(key).(type) {
	case nil:
		return nil
	case []any:
		return t
	case *yamlMap:
		return []any{}
	default:
		return []any{t}
	}
}

func (d *decoder) strings(n node, key string, dst *[]string) {
	list := d.items(n, key)
	if list == nil {
		return
	}
	out := make([]string, 0, len(list))
	for i, v := range list {
		path := fmt.Sprintf("%s.%d", n.child(key), i)
		if v == nil {
			out = append(out, "")
			continue
		}
		s, ok := scalarString(v)
		if !ok {
			d.fail(conversionError(v, "string", path))
			return
		}
		out = append(out, s)
	}
	*dst = out
}

// object returns the mapping under key; ok is false when the key is absent
// or null. Any other value is a type error.
func (d *decoder) object(n node, key string) (node, bool) {
	if d.err != nil {
		return node{}, false
	}
	v := n.lookup(key)
	return d.asObject(v, n.child(key))
}

func (d *decoder) asObject(v any, path string) (node, bool) {
	switch t := v.(type) {
	case nil:
		return node{}, false
	case *yamlMap:
		return node{m: t, path: path}, true
	}
	d.fail(fmt.Errorf("required 'object', but found '%s' in field '%s'", scalarTypeName(v), path))
	return node{}, false
}

// list decodes each element of a list of objects with fn. A null element
// decodes as an empty object, so its required fields still fail.
func list[T any](d *decoder, n node, key string, fn func(*decoder, node) T) []T {
	items := d.items(n, key)
	if items == nil {
		return nil
	}
	out := make([]T, 0, len(items))
	for i, v := range items {
		path := fmt.Sprintf("%s.%d", n.child(key), i)
		el, _ := d.asObject(v, path)
		el.path = path
		if d.err != nil {
			return nil
		}
		out = append(out, fn(d, el))
	}
	if d.err != nil {
		return nil
	}
	return out
}

// freeForm converts a subtree into a JSON-ready value for fields typed
// interface{} upstream: an empty mapping nested inside turns into null,
// everything else is kept as is.
func freeForm(v any) any {
	switch t := v.(type) {
	case *yamlMap:
		if len(t.keys) == 0 {
			return nil
		}
		out := make(map[string]any, len(t.keys))
		for _, k := range t.keys {
			out[k] = freeForm(t.vals[k])
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = freeForm(e)
		}
		return out
	}
	return v
}

// value decodes a var default: absent, null and {} mean "no default".
func (d *decoder) value(n node, key string) *packages.Value {
	if d.err != nil {
		return nil
	}
	v := freeForm(n.lookup(key))
	if v == nil {
		return nil
	}
	return &packages.Value{V: v}
}

// settingsMap decodes index_template.settings/mappings: a mapping whose
// direct entries are dropped when null or {}. Empty results are nil.
func (d *decoder) settingsMap(n node, key string) map[string]any {
	obj, ok := d.object(n, key)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for _, k := range obj.m.keys {
		if v := freeForm(obj.m.vals[k]); v != nil {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
