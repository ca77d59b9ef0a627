package server

import (
	"fmt"
	"net/http"

	"github.com/Masterminds/semver/v3"
	"github.com/gorilla/mux"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// lookupRoute finds the package of a file route (static, artifact,
// signature) from its route variables; notFound is the route's answer for
// an unknown package.
func (s *server) lookupRoute(r *http.Request, notFound error) (found, error) {
	vars := mux.Vars(r)
	return s.lookup(r, vars[varName], vars[varVersion], false, notFound)
}

// lookup checks the version, then looks the package up, in upstream's
// order: an invalid version is a 400 even for an unknown package.
// notFound is returned when no package has that name and version.
func (s *server) lookup(r *http.Request, name, version string, fullData bool, notFound error) (found, error) {
	if err := checkVersion(version); err != nil {
		return found{}, err
	}
	p, err := s.findPackage(r, name, version, fullData)
	if err != nil {
		return found{}, err
	}
	if p.Package == nil {
		return found{}, notFound
	}
	return p, nil
}

// checkVersion accepts only strict semver: 1.0, v1.0.0 and 01.0.0 do not
// pass.
func checkVersion(version string) error {
	if _, err := semver.StrictNewVersion(version); err != nil {
		return errInvalidVersion
	}
	return nil
}

// found is a looked-up package and where it was found.
type found struct {
	*packages.Package
	// viaProxy: the package came from the proxied registry, not from an
	// indexer.
	viaProxy bool
}

// findPackage looks one exact name and version string up among all indexed
// packages, whatever their release, prerelease tag or conditions, then in
// the proxied registry when proxy mode is on. The package is nil when it is
// unknown; errors are internal.
func (s *server) findPackage(r *http.Request, name, version string, fullData bool) (found, error) {
	filter := &packages.Filter{
		PackageName:    name,
		PackageVersion: version,
		Prerelease:     true,
		AllVersions:    true,
	}
	pkgs, err := s.opts.Indexer.Get(r.Context(), &indexer.GetOptions{
		Filter:          filter,
		FullData:        fullData,
		SkipPackageData: !fullData,
	})
	if err != nil {
		return found{}, internalError(fmt.Errorf("looking up package %s-%s: %w", name, version, err))
	}
	// The comparison is repeated here so that an indexer ignoring part of
	// the filter can never serve another version (1.0.0+build vs 1.0.0).
	for _, p := range pkgs {
		if p != nil && p.Name == name && p.Version == version {
			return found{Package: p}, nil
		}
	}
	if s.opts.Proxy == nil {
		return found{}, nil
	}
	p, err := s.opts.Proxy.Package(r, name, version)
	if err != nil {
		return found{}, proxyError("package", err)
	}
	return found{Package: p, viaProxy: p != nil}, nil
}

// countStorage reports a file request that reached a package to the
// metrics hook: "local" for packages on disk, "remote" for proxy-mode
// redirects. Storage-indexer packages are counted by their resolver, which
// knows when the endpoint answered.
func (s *server) countStorage(f found, component string) {
	if s.opts.CountStorageRequest == nil {
		return
	}
	switch {
	case f.viaProxy:
		s.opts.CountStorageRequest("remote", component)
	case f.Resolver == nil:
		s.opts.CountStorageRequest("local", component)
	}
}

const (
	componentArtifacts  = "artifacts"
	componentSignatures = "signatures"
	componentStatics    = "statics"
)
