// Package benchcorpus gives benchmarks a generated corpus (dev/corpus) to
// load. Generating one takes seconds, so it is written once under the
// temporary folder and reused by later runs; EPR_BENCH_CORPUS names an
// existing corpus to use instead (any size: benchmarks report per version).
package benchcorpus

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/eprgo/package-registry/dev/corpus/corpusgen"
)

// EnvVar names an existing corpus to benchmark instead of a generated one.
const EnvVar = "EPR_BENCH_CORPUS"

// Dir returns the corpus folder: $EPR_BENCH_CORPUS, or a cached corpus of
// packages × versions (seed 1).
func Dir(tb testing.TB, packages, versions int) string {
	tb.Helper()
	if dir := os.Getenv(EnvVar); dir != "" {
		return dir
	}
	dir := filepath.Join(os.TempDir(), "epr-bench-corpus", fmt.Sprintf("%dx%d-seed1-r%d", packages, versions, corpusgen.Revision))
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err == nil {
		return filepath.Join(dir, "packages")
	}
	// A half-written corpus (interrupted run) is written again from
	// scratch.
	if err := os.RemoveAll(dir); err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(dir, "packages")
	if _, err := corpusgen.Write(corpusgen.Options{Out: out, Packages: packages, Versions: versions, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	return out
}
