package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// indexEntry is one element of a search-index-all.json "packages" array or
// of a delta's "added"/"updated" arrays.
type indexEntry struct {
	PackageManifest json.RawMessage `json:"package_manifest"`
}

// decodedEntry is a package together with the document it was decoded from;
// the SQL indexer stores the document as is.
type decodedEntry struct {
	pkg *packages.Package
	raw json.RawMessage
}

// decodePackage turns one package document into a servable package: the
// JSON model taken as it is (the index holds package documents as
// /package/{name}/{version}/ serves them), the runtime values
// parsed strictly, the resolver bound.
func decodePackage(raw json.RawMessage, resolver indexer.RemoteResolver) (*packages.Package, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return nil, errors.New("index entry without package_manifest")
	}
	var p packages.Package
	if err := json.Unmarshal(trimmed, &p); err != nil {
		return nil, fmt.Errorf("can't decode package: %w", err)
	}
	// A "categories" key survives the JSON round trip only when the
	// manifest listed some, so its presence is what the manifest's key
	// presence became, which the /categories counting depends on.
	for i := range p.PolicyTemplates {
		p.PolicyTemplates[i].HasCategories = p.PolicyTemplates[i].Categories != nil
	}
	if err := p.InitRuntime(); err != nil {
		return nil, err
	}
	p.Resolver = resolver
	return &p, nil
}

// streamIndex decodes a search-index-all.json document entry by entry and
// hands every package to fn, so that production indexes (tens of MB) are
// never held twice in memory. Top-level keys other than "packages" are
// skipped.
func streamIndex(r io.Reader, resolver indexer.RemoteResolver, fn func(decodedEntry) error) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("can't read index key: %w", err)
		}
		if key, _ := tok.(string); key != "packages" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("can't read index key %q: %w", key, err)
			}
			continue
		}
		if err := streamPackages(dec, resolver, fn); err != nil {
			return err
		}
	}
	return expectDelim(dec, '}')
}

func streamPackages(dec *json.Decoder, resolver indexer.RemoteResolver, fn func(decodedEntry) error) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("can't read packages: %w", err)
	}
	if tok == nil {
		return nil // "packages": null
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("packages must be an array, found %v", tok)
	}
	for dec.More() {
		var e indexEntry
		if err := dec.Decode(&e); err != nil {
			return fmt.Errorf("can't decode index entry: %w", err)
		}
		p, err := decodePackage(e.PackageManifest, resolver)
		if err != nil {
			return err
		}
		if err := fn(decodedEntry{pkg: p, raw: e.PackageManifest}); err != nil {
			return err
		}
	}
	return expectDelim(dec, ']')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("can't read index: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("unexpected token in index: %v (expected %v)", tok, want)
	}
	return nil
}

// readIndex decodes a whole search-index-all.json into a package list, in
// index order.
func readIndex(r io.Reader, resolver indexer.RemoteResolver) (packages.Packages, error) {
	var pkgs packages.Packages
	err := streamIndex(r, resolver, func(e decodedEntry) error {
		pkgs = append(pkgs, e.pkg)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pkgs, nil
}
