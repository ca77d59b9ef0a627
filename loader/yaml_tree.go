package loader

import (
	"encoding/base64"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The YAML documents of a package are turned into a generic tree before
// decoding: nil, bool, int64, uint64, float64, string, *yamlMap or []any.
// Building the tree applies the upstream reading rules in one place (those of
// go-ucfg over yaml.v2): YAML 1.1 scalars, merge keys, last duplicate key wins,
// and dotted keys expanded into nested mappings at every depth.

// yamlMap is a mapping after dotted-key expansion. Keys keep the order in
// which they were first seen, which only matters for deterministic merges.
type yamlMap struct {
	keys []string
	vals map[string]any
}

func newYAMLMap() *yamlMap { return &yamlMap{vals: map[string]any{}} }

func (m *yamlMap) get(key string) (any, bool) {
	v, ok := m.vals[key]
	return v, ok
}

func (m *yamlMap) set(key string, v any) {
	if _, ok := m.vals[key]; !ok {
		m.keys = append(m.keys, key)
	}
	m.vals[key] = v
}

// parseYAML parses the first document of a manifest: dotted keys are
// expanded and nested keys must be strings. An empty document gives nil.
// name is the file's, for the errors of the limits.
func parseYAML(name string, data []byte) (any, error) {
	return parseYAMLWith(name, data, false)
}

// parsePlainYAML parses files that upstream reads with the YAML library
// alone (fields files, ingest pipelines): keys are taken as written and
// dotted keys are not expanded. Scalars still follow YAML 1.1.
func parsePlainYAML(name string, data []byte) (any, error) {
	return parseYAMLWith(name, data, true)
}

func parseYAMLWith(name string, data []byte, plain bool) (any, error) {
	if err := checkYAMLSize(data); err != nil {
		return nil, yamlLimitError(name, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlLimitError(name, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	b := treeBuilder{budget: maxYAMLNodes, plain: plain}
	tree, err := b.build(doc.Content[0], true)
	if err != nil {
		return nil, yamlLimitError(name, err)
	}
	return tree, nil
}

// parseYAMLMapping parses a manifest, which must be a mapping. An empty
// document is an empty mapping.
func parseYAMLMapping(name string, data []byte) (*yamlMap, error) {
	tree, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	switch t := tree.(type) {
	case nil:
		return newYAMLMap(), nil
	case *yamlMap:
		return t, nil
	}
	return nil, fmt.Errorf("yaml: unmarshal errors:\n  cannot unmarshal !!%s into map[string]interface {}", yamlKindName(tree))
}

func yamlKindName(v any) string {
	switch v.(type) {
	case []any:
		return "seq"
	case *yamlMap:
		return "map"
	case bool:
		return "bool"
	case int64, uint64:
		return "int"
	case float64:
		return "float"
	case nil:
		return "null"
	}
	return "str"
}

type treeBuilder struct {
	budget int
	depth  int  // levels above the node being built, dotted keys included
	plain  bool // see parsePlainYAML
	// expanding holds the anchored nodes being built, to reject aliases
	// that refer to an enclosing node (infinite documents).
	expanding map[*yaml.Node]bool
}

// enter marks an anchored node as being built; leave must be called after.
func (b *treeBuilder) enter(n *yaml.Node) error {
	if n.Anchor == "" {
		return nil
	}
	if b.expanding[n] {
		return fmt.Errorf("yaml: anchor '%s' value contains itself", n.Anchor)
	}
	if b.expanding == nil {
		b.expanding = map[*yaml.Node]bool{}
	}
	b.expanding[n] = true
	return nil
}

func (b *treeBuilder) leave(n *yaml.Node) {
	delete(b.expanding, n)
}

func (b *treeBuilder) build(n *yaml.Node, top bool) (any, error) {
	if err := b.charge(1); err != nil {
		return nil, err
	}
	if err := b.enter(n); err != nil {
		return nil, err
	}
	defer b.leave(n)
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("yaml: line %d: unknown anchor", n.Line)
		}
		return b.build(n.Alias, top)
	case yaml.ScalarNode:
		return scalarValue(n)
	case yaml.SequenceNode:
		if err := b.descend(1); err != nil {
			return nil, err
		}
		defer b.ascend(1)
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := b.build(c, false)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.MappingNode:
		return b.mapping(n, top)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return b.build(n.Content[0], top)
	}
	return nil, fmt.Errorf("yaml: line %d: unsupported node", n.Line)
}

// mapping reads a mapping in two steps, as upstream does: the YAML decoder
// first produces a plain map (later duplicate keys and merge keys override
// earlier ones), then the configuration library expands dotted keys.
func (b *treeBuilder) mapping(n *yaml.Node, top bool) (*yamlMap, error) {
	raw := newYAMLMap()
	if err := b.fillMapping(raw, n, top); err != nil {
		return nil, err
	}
	// Without dotted keys the expansion would copy raw as it is: keep it,
	// which halves the memory of a document of many small mappings.
	if b.plain || !slices.ContainsFunc(raw.keys, func(k string) bool { return strings.Contains(k, ".") }) {
		return raw, nil
	}
	out := newYAMLMap()
	for _, k := range raw.keys {
		setDotted(out, strings.Split(k, "."), raw.vals[k])
	}
	return out, nil
}

func (b *treeBuilder) fillMapping(raw *yamlMap, n *yaml.Node, top bool) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if isMergeKey(kn) {
			if err := b.merge(raw, vn, top); err != nil {
				return err
			}
			continue
		}
		key, err := b.key(kn, top)
		if err != nil {
			return err
		}
		levels := 1
		if !b.plain {
			levels += strings.Count(key, ".")
		}
		// Each dotted part is a mapping of the expanded tree.
		if err := b.charge(levels - 1); err != nil {
			return err
		}
		if err := b.descend(levels); err != nil {
			return err
		}
		v, err := b.build(vn, false)
		b.ascend(levels)
		if err != nil {
			return err
		}
		raw.set(key, v)
	}
	return nil
}

// merge applies a `<<` value: a mapping, or a list of mappings where the
// earlier ones take precedence (yaml.v2 semantics).
func (b *treeBuilder) merge(raw *yamlMap, vn *yaml.Node, top bool) error {
	for vn.Kind == yaml.AliasNode && vn.Alias != nil {
		vn = vn.Alias
	}
	if err := b.enter(vn); err != nil {
		return err
	}
	defer b.leave(vn)
	switch vn.Kind {
	case yaml.MappingNode:
		return b.fillMapping(raw, vn, top)
	case yaml.SequenceNode:
		for i := len(vn.Content) - 1; i >= 0; i-- {
			item := vn.Content[i]
			for item.Kind == yaml.AliasNode && item.Alias != nil {
				item = item.Alias
			}
			if item.Kind != yaml.MappingNode {
				return fmt.Errorf("yaml: line %d: map merge requires map or sequence of maps as the value", vn.Line)
			}
			if err := b.enter(item); err != nil {
				return err
			}
			err := b.fillMapping(raw, item, top)
			b.leave(item)
			if err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("yaml: line %d: map merge requires map or sequence of maps as the value", vn.Line)
}

func isMergeKey(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "<<" &&
		(n.Style == 0 || n.Tag == "!!merge")
}

// key returns a mapping key. Top-level keys are read as their text (the
// upstream decoder reads the document into a string-keyed map). Deeper keys
// must resolve to strings under YAML 1.1: `y`, `on`, `1`, `~`... make the
// whole document fail with the configuration library's assertion, stack
// trace included, as upstream reports it.
func (b *treeBuilder) key(n *yaml.Node, top bool) (string, error) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("yaml: line %d: invalid map key: a key must be a scalar", n.Line)
	}
	if top || b.plain {
		return n.Value, nil
	}
	v, err := scalarValue(n)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", stringKeyRequiredError()
	}
	return s, nil
}

func stringKeyRequiredError() error {
	return fmt.Errorf("(assert) string key required when merging into 'map[interface {}]interface {}' accessing config\n%s", debug.Stack())
}

// setDotted stores v under the path parts, creating or merging the
// intermediate mappings.
func setDotted(m *yamlMap, parts []string, v any) {
	for len(parts) > 1 {
		child, ok := m.vals[parts[0]].(*yamlMap)
		if !ok {
			child = newYAMLMap()
			m.set(parts[0], child)
		}
		m, parts = child, parts[1:]
	}
	if src, ok := v.(*yamlMap); ok {
		if dst, ok := m.vals[parts[0]].(*yamlMap); ok {
			mergeYAMLMaps(dst, src)
			return
		}
	}
	m.set(parts[0], v)
}

func mergeYAMLMaps(dst, src *yamlMap) {
	for _, k := range src.keys {
		setDotted(dst, []string{k}, src.vals[k])
	}
}

// scalarValue resolves a scalar node. Quoted and block scalars are strings;
// plain scalars follow YAML 1.1; explicit standard tags are honoured.
func scalarValue(n *yaml.Node) (any, error) {
	if n.Style&yaml.TaggedStyle != 0 {
		return taggedScalar(n)
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value, nil
	}
	return resolvePlainScalar(n.Value), nil
}

func taggedScalar(n *yaml.Node) (any, error) {
	mismatch := func() error {
		return fmt.Errorf("yaml: line %d: cannot decode %q as a %s", n.Line, n.Value, n.Tag)
	}
	switch n.Tag {
	case "!!str", "!!timestamp":
		return n.Value, nil
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
		if err != nil {
			return nil, errors.Join(mismatch(), err)
		}
		return string(b), nil
	case "!!null":
		if v := resolvePlainScalar(n.Value); v == nil {
			return nil, nil
		}
		return nil, mismatch()
	case "!!bool":
		if v, ok := resolvePlainScalar(n.Value).(bool); ok {
			return v, nil
		}
		return nil, mismatch()
	case "!!int":
		switch v := resolvePlainScalar(n.Value).(type) {
		case int64, uint64:
			return v, nil
		}
		return nil, mismatch()
	case "!!float":
		switch v := resolvePlainScalar(n.Value).(type) {
		case int64:
			return float64(v), nil
		case uint64:
			return float64(v), nil
		case float64:
			return v, nil
		}
		return nil, mismatch()
	}
	// Application-specific tags are not interpreted: the text is the value.
	return n.Value, nil
}
