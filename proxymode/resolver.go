package proxymode

import (
	"net/http"
	"net/url"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// Resolver answers file requests for packages found on the remote registry
// with 301 redirects to it, so the remote serves the bytes. The handlers
// set the cache headers before calling it.
type Resolver struct {
	remote url.URL
}

var _ indexer.RemoteResolver = (*Resolver)(nil)

// ServeArtifact redirects to /epr/package/<n>-<v>.zip. The literal
// "package" segment is upstream's: a registry ignores that segment, and
// clients compare the Location byte for byte.
func (rs *Resolver) ServeArtifact(w http.ResponseWriter, r *http.Request, p *packages.Package) {
	rs.redirect(w, r, "/epr/package/"+p.Name+"-"+p.Version+".zip")
}

// ServeSignature redirects to /epr/package/<n>-<v>.zip.sig.
func (rs *Resolver) ServeSignature(w http.ResponseWriter, r *http.Request, p *packages.Package) {
	rs.redirect(w, r, "/epr/package/"+p.Name+"-"+p.Version+".zip.sig")
}

// ServeStatic redirects to the same file on the remote registry.
func (rs *Resolver) ServeStatic(w http.ResponseWriter, r *http.Request, p *packages.Package, path string) {
	rs.redirect(w, r, "/package/"+p.Name+"/"+p.Version+"/"+path)
}

func (rs *Resolver) redirect(w http.ResponseWriter, r *http.Request, path string) {
	u := rs.remote
	u.Path = path
	http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
}
