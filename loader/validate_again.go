package loader

import "github.com/eprgo/package-registry/packages"

// revalidateDataStream is the second data-stream validation, run on the
// data stream with its defaults applied (a default dataset of
// "<package>.<dir>" can bring a "-", a detected default pipeline must
// exist). It repeats only the checks whose input the defaults can change:
// the required fields and the streams were checked on the same files and
// values while building the data stream, so they would pass again, and the
// fields files are the costliest YAML of a package to parse.
func revalidateDataStream(fsys PackageFS, ds *packages.DataStream, dir string) error {
	return validateDataStreamChecks(fsys, ds, dir, false)
}
