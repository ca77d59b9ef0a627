package packages

import (
	"errors"

	"go.uber.org/zap"
)

// LoadOptions tune how a package is read from local disk.
type LoadOptions struct {
	// DisableValidation is -disable-package-validation.
	DisableValidation bool
	// Logger receives warnings (unknown categories); nil means no logging.
	Logger *zap.Logger
}

// LoadPackage reads the package at basePath: a version directory, or a .zip
// file when basePath ends in ".zip" (package-model.md §2–§5). The returned
// package has its Runtime initialised (BasePath, IsZip, parsed versions).
func LoadPackage(basePath string, opts LoadOptions) (*Package, error) {
	return nil, errors.New("not implemented")
}
