package indexer

// Generational is implemented by indexers that can tell when their answers
// may change, so that answers derived from them can be cached safely (the
// server's /search and /categories cache).
type Generational interface {
	// Generation returns a number that increases whenever Get may answer
	// differently and never decreases; ok is false when the indexer
	// cannot tell right now.
	Generation() (gen uint64, ok bool)
}

// GenerationOf returns the generation of an indexer, looking through
// wrappers that have an Unwrap() Indexer method (the metrics wrapper).
// ok is false for indexers that are not Generational.
func GenerationOf(idx Indexer) (uint64, bool) {
	for {
		if g, ok := idx.(Generational); ok {
			return g.Generation()
		}
		u, ok := idx.(interface{ Unwrap() Indexer })
		if !ok {
			return 0, false
		}
		idx = u.Unwrap()
	}
}

// Generation of a combined indexer is the sum of its members': the merged
// answer depends on all of them, and the sum increases whenever any of
// them does. Without a generation for every member there is none.
func (c Combined) Generation() (uint64, bool) {
	var sum uint64
	for _, m := range c {
		g, ok := GenerationOf(m)
		if !ok {
			return 0, false
		}
		sum += g
	}
	return sum, true
}
