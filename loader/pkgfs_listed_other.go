//go:build !linux

package loader

import "os"

// openRootHandle reads the package through os.Root.
func openRootHandle(r *os.Root) (dirHandle, error) {
	return rootHandle{r: r}, nil
}

// notFoundErr is nil where listedFS leaves missing names to os.Root, which
// knows the platform's error.
var notFoundErr error
