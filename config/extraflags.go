package config

import (
	"flag"
	"fmt"
)

// Flags of this implementation that upstream does not have. They work like
// the upstream ones (command line and EPR_* variable) but are left out of
// -help, whose text stays upstream's byte for byte: scripts and the
// conformance kit compare it. docs/operations.md documents them.
func addExtensionFlags(fs *flag.FlagSet, f *Flags) {
	// The usage text is printed from a flag set holding only the upstream
	// flags, with the compiled defaults (-help never shows environment
	// values).
	defaults := DefaultFlags()
	upstream := NewFlagSet(fs.Name(), &defaults)
	fs.Usage = func() {
		if fs.Name() == "" {
			fmt.Fprintf(fs.Output(), "Usage:\n")
		} else {
			fmt.Fprintf(fs.Output(), "Usage of %s:\n", fs.Name())
		}
		upstream.SetOutput(fs.Output())
		upstream.PrintDefaults()
	}

	fs.DurationVar(&f.PackagePathsPollInterval, "package-paths-poll-interval", f.PackagePathsPollInterval,
		"With -package-paths-enable-watcher, also scan the package paths for changes at this interval, for file systems that deliver no change events (NFS, SMB, FUSE). 0 disables polling.")
}
