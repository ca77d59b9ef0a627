package indexer

import (
	"net/http"

	"github.com/eprgo/package-registry/packages"
)

// RemoteResolver serves the artifacts, signatures and static files of
// packages that do not live on local disk (Package Storage v2, SQL
// storage, proxy mode). A source puts its resolver in every package it
// returns (packages.Runtime.Resolver), and the server reaches it through
// Remote. Handlers set the cache headers before calling it.
//
// It is declared here, between the sources and the server, rather than in
// the model: the model keeps the resolver as an opaque value, so that it
// knows nothing of HTTP.
type RemoteResolver interface {
	ServeArtifact(w http.ResponseWriter, r *http.Request, p *packages.Package)
	ServeSignature(w http.ResponseWriter, r *http.Request, p *packages.Package)
	ServeStatic(w http.ResponseWriter, r *http.Request, p *packages.Package, path string)
}

// Remote returns the resolver of a package served from elsewhere, or nil
// for a package on local disk.
func Remote(p *packages.Package) RemoteResolver {
	r, _ := p.Resolver.(RemoteResolver)
	return r
}
