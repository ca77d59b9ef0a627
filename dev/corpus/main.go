// Command corpus writes a deterministic corpus of realistic packages for
// benchmarks and load tests: N packages × V versions as
// <out>/<name>/<version>/ directories (each with a <version>.sig), or as
// <out>/<name>-<version>.zip files with -zip.
//
//	go run ./dev/corpus -out /tmp/corpus -packages 1000 -versions 20 -seed 1
//
// The generator itself is dev/corpus/corpusgen, which benchmarks use too;
// its documentation describes what a package contains.
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/eprgo/package-registry/dev/corpus/corpusgen"
)

func main() {
	out := flag.String("out", "build/corpus", "output folder (created)")
	n := flag.Int("packages", 100, "number of packages")
	v := flag.Int("versions", 5, "versions per package")
	seed := flag.Int64("seed", 1, "random seed (same seed, same corpus)")
	zipped := flag.Bool("zip", false, "write .zip packages instead of directories")
	flag.Parse()
	written, err := corpusgen.Write(corpusgen.Options{Out: *out, Packages: *n, Versions: *v, Seed: *seed, Zip: *zipped})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %d package versions to %s\n", written, *out)
}
