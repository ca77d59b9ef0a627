// Command mkindex builds Package Storage v2 metadata from local packages,
// to try the storage indexers without a bucket (docs/storage_indexers.md):
//
//	go run ./dev/storage/mkindex [-o FILE] DIR...
//	go run ./dev/storage/mkindex -delta -previous OLD_DIR [-o FILE] DIR...
//
// Each DIR holds version directories (<DIR>/<name>/<version>/) and/or
// package zips (<DIR>/<name>-<version>.zip). The first copy of a name and
// version wins. Without -delta the output is a search-index-all.json; with
// -delta it is the search-index-delta.json that turns the packages of
// -previous into the packages of DIR.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "mkindex:", err)
		}
		os.Exit(1)
	}
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mkindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file (default: standard output)")
	delta := fs.Bool("delta", false, "write a search-index-delta.json against -previous instead of a full index")
	var previous multiFlag
	fs.Var(&previous, "previous", "package directory of the previous revision (repeatable; with -delta)")
	disableValidation := fs.Bool("disable-package-validation", false, "load packages without content validation")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mkindex [-o FILE] [-delta -previous OLD_DIR] DIR...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no package directory given")
	}
	if *delta && len(previous) == 0 {
		return errors.New("-delta needs -previous")
	}

	current, err := collect(fs.Args(), *disableValidation)
	if err != nil {
		return err
	}
	var doc []byte
	if *delta {
		prev, err := collect(previous, *disableValidation)
		if err != nil {
			return err
		}
		doc, err = deltaDocument(prev, current)
		if err != nil {
			return err
		}
	} else {
		doc, err = indexDocument(current)
		if err != nil {
			return err
		}
	}
	if *out == "" {
		_, err = stdout.Write(doc)
		return err
	}
	return os.WriteFile(*out, doc, 0o644)
}
