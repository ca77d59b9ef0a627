package main

import (
	"bytes"
	"encoding/json"
)

// wrapped is how index entries carry a package document.
type wrapped struct {
	PackageManifest json.RawMessage `json:"package_manifest"`
}

type removedKey struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

func wrap(entries []entry) []wrapped {
	out := make([]wrapped, 0, len(entries))
	for _, e := range entries {
		out = append(out, wrapped{PackageManifest: e.doc})
	}
	return out
}

// indexDocument is a search-index-all.json: every package of the revision
// (docs/storage_indexers.md).
func indexDocument(entries []entry) ([]byte, error) {
	return encode(struct {
		Packages []wrapped `json:"packages"`
	}{wrap(entries)})
}

// deltaDocument is the search-index-delta.json from prev to cur
// (docs/storage_indexers.md): new keys are added, changed documents updated,
// missing keys removed.
func deltaDocument(prev, cur []entry) ([]byte, error) {
	before := map[string]entry{}
	for _, e := range prev {
		before[e.key] = e
	}
	now := map[string]bool{}
	var added, updated []entry
	for _, e := range cur {
		now[e.key] = true
		old, ok := before[e.key]
		switch {
		case !ok:
			added = append(added, e)
		case !bytes.Equal(old.doc, e.doc):
			updated = append(updated, e)
		}
	}
	removed := []removedKey{}
	for _, e := range prev {
		if !now[e.key] {
			var id removedKey
			if err := json.Unmarshal(e.doc, &id); err != nil {
				return nil, err
			}
			removed = append(removed, id)
		}
	}
	return encode(struct {
		Added   []wrapped    `json:"added"`
		Updated []wrapped    `json:"updated"`
		Removed []removedKey `json:"removed"`
	}{wrap(added), wrap(updated), removed})
}

// encode indents like the registry and keeps <, > and & literal.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
