package loader

import (
	"errors"
	"fmt"
	"strings"
)

// The limits on YAML documents. The parser (gopkg.in/yaml.v3) builds the
// whole node tree of a document before the registry sees any of it, at
// some 200 bytes a node: a 4 MiB file of "a," is two million nodes and
// 400 MiB. So the nodes are bounded twice: before parsing, from the
// indicators in the raw bytes (yamlNodeBound), and while building the tree,
// after alias expansion (treeBuilder's budget). A refused document costs
// less than 64 MiB (docs/security.md has the figures).

// maxYAMLNodes bounds the nodes of a document, counted before parsing
// (an upper bound) and again after alias and dotted-key expansion, so that
// a few lines of nested aliases ("billion laughs") cannot exhaust memory
// either. 128 Ki nodes take some 25 MiB to parse and at most 40 MiB with
// the tree built (the heap's peak being about twice what is live, that
// keeps a refused document under 64 MiB). A field of a fields file is
// about ten nodes in 200 to 400 bytes, so the limit is a fields file of
// 2.5 to 5 MiB, next to the loader's 4 MiB cap on any file it parses.
const maxYAMLNodes = 1 << 17

var errYAMLTooLarge = fmt.Errorf("yaml: document too large: more than %d nodes after alias and dotted-key expansion", maxYAMLNodes)

var errYAMLTooDense = fmt.Errorf("yaml: document too large: its indicators (- : ? , [ {) allow more than %d nodes", maxYAMLNodes)

// maxYAMLDepth bounds the nesting of the tree. The parser limits the
// nesting it reads (to 10,000, with its own message), but dotted keys add
// levels after it ("a.a.a...: 1" is one key), and a tree deep enough would
// make the recursive decoding and JSON encoding overflow the stack, which
// no recover can catch.
const maxYAMLDepth = 1000

var errYAMLTooDeep = fmt.Errorf("yaml: document too deep: more than %d levels of nesting", maxYAMLDepth)

// yamlNodeBound returns an upper bound of the nodes the parser builds for
// the first document of data, read from the indicators alone: a node other
// than the document and its root is an entry of a collection, and every
// entry needs one. A block sequence entry is "- " (the entry and, for the
// first, the sequence: 2); a mapping entry ": " or "? " (key and value: 2);
// a flow entry "," (a key and its null value, or a single-pair mapping's
// value: 2, with the colon); "[" opens a sequence and its first entry (2);
// "{" a mapping and its first key and value (3). In a flow collection a
// colon between two other characters ("*a:b") can still end a key (1).
//
// Indicators inside scalars and comments are counted too, whatever quoting
// says, so the count cannot be fooled; only commas, "?" and colons not
// followed by a blank are skipped where the parser cannot be in a flow
// collection, because prose is full of them. The parser is in a flow
// collection only after more "[" and "{" than "]" and "}" (depth): those
// in prose only make it think so more often, and a bracket that closes in
// the bytes but not for the parser must sit inside a quoted scalar, a
// comment or a tag, whose first character ("'", '"', "#", "!") met inside
// a collection makes every later comma count (sticky).
func yamlNodeBound(data []byte) int {
	n := 2 // the document node and its root
	depth, sticky := 0, false
	for i, c := range data {
		flow := depth > 0 || sticky
		switch c {
		case '[':
			n += 2
			depth++
		case '{':
			n += 3
			depth++
		case ']', '}':
			depth = max(depth-1, 0)
		case '\'', '"', '#', '!':
			sticky = sticky || depth > 0
		case ',':
			if flow {
				n += 2
			}
		case '?':
			if flow || yamlBlankAt(data, i+1) {
				n += 2
			}
		case '-':
			if yamlBlankAt(data, i+1) {
				n += 2
			}
		case ':':
			switch {
			case yamlBlankAt(data, i+1) || flow && strings.IndexByte(",[]{}", data[i+1]) >= 0:
				n += 2
			case flow:
				n++
			}
		}
	}
	return n
}

// yamlBlankAt tells whether data[i] is a blank, a line break or the end of
// the data, as the parser's "blankz" test does.
func yamlBlankAt(data []byte, i int) bool {
	if i >= len(data) {
		return true
	}
	switch data[i] {
	case ' ', '\t', '\r', '\n', 0:
		return true
	}
	return false
}

// checkYAMLSize refuses, before parsing, a document that could hold more
// nodes than the limit.
func checkYAMLSize(data []byte) error {
	if yamlNodeBound(data) > maxYAMLNodes {
		return errYAMLTooDense
	}
	return nil
}

// yamlLimitError names the file in the error of a refused document, as the
// loader's file-size limit does. The parser's own depth limit ("exceeded
// max depth of 10000") is past the registry's and gets its message. Other
// errors are the parser's, as upstream reports them.
func yamlLimitError(name string, err error) error {
	if strings.Contains(err.Error(), "exceeded max depth of") {
		err = errYAMLTooDeep
	}
	if errors.Is(err, errYAMLTooLarge) || errors.Is(err, errYAMLTooDense) || errors.Is(err, errYAMLTooDeep) {
		return fmt.Errorf("%s: %w", name, err)
	}
	return err
}

// charge counts nodes of the tree being built against the budget.
func (b *treeBuilder) charge(nodes int) error {
	if b.budget -= nodes; b.budget < 0 {
		return errYAMLTooLarge
	}
	return nil
}

// descend enters levels of nesting; ascend must undo it.
func (b *treeBuilder) descend(levels int) error {
	b.depth += levels
	if b.depth > maxYAMLDepth {
		b.depth -= levels
		return errYAMLTooDeep
	}
	return nil
}

func (b *treeBuilder) ascend(levels int) { b.depth -= levels }
