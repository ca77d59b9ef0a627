package proxymode

import (
	"net/http"
	"net/url"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// Resolver answers file requests for packages found on the remote registry.
// Without credentials in -proxy-to it answers 301 redirects to the remote
// registry, which then serves the bytes (upstream's answer). With
// credentials it relays the bytes itself: a redirect would have to carry
// the credentials to every client, and one without them would fail for a
// remote that needs them. The handlers set the cache headers before
// calling it.
type Resolver struct {
	// redirectBase is the remote's scheme and host, never its user info.
	redirectBase url.URL
	// relay is set when -proxy-to carries user info.
	relay *fileRelay
}

var _ indexer.RemoteResolver = (*Resolver)(nil)

// ServeArtifact answers for /epr/package/<n>-<v>.zip. The literal
// "package" segment is upstream's: a registry ignores that segment, and
// clients compare the Location byte for byte.
func (rs *Resolver) ServeArtifact(w http.ResponseWriter, r *http.Request, p *packages.Package) {
	rs.serve(w, r, "/epr/package/"+p.Name+"-"+p.Version+".zip")
}

// ServeSignature answers for /epr/package/<n>-<v>.zip.sig.
func (rs *Resolver) ServeSignature(w http.ResponseWriter, r *http.Request, p *packages.Package) {
	rs.serve(w, r, "/epr/package/"+p.Name+"-"+p.Version+".zip.sig")
}

// ServeStatic answers for the same file on the remote registry.
func (rs *Resolver) ServeStatic(w http.ResponseWriter, r *http.Request, p *packages.Package, path string) {
	rs.serve(w, r, "/package/"+p.Name+"/"+p.Version+"/"+path)
}

func (rs *Resolver) serve(w http.ResponseWriter, r *http.Request, path string) {
	if rs.relay != nil {
		rs.relay.serve(w, r, path)
		return
	}
	u := rs.redirectBase
	u.Path = path
	http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
}
