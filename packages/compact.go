package packages

import (
	"fmt"
	"slices"
	"strings"
)

// Compact returns the serving form of a loaded package: its
// /package/{n}/{v}/ document rendered once and kept compressed (Doc), and a
// copy of the package that keeps only what the filters, /categories and the
// /search projection read, with repeated values shared through in. A full
// parsed package takes some 20 KB in memory, its compact form about 3 KB.
//
// p must be final (deprecation propagated) and is not modified. Packages
// read from the result must be treated as read-only, as every indexed
// package is: values are shared between packages.
func Compact(p *Package, in *Interner) (*Package, error) {
	doc, err := RenderDoc(p)
	if err != nil {
		return nil, fmt.Errorf("rendering package %s-%s: %w", p.Name, p.Version, err)
	}
	c := &Package{
		Name:                    in.str(p.Name),
		Title:                   in.strPtr(p.Title),
		Version:                 in.str(p.Version),
		Release:                 in.str(p.Release),
		Source:                  in.source(p.Source),
		Description:             in.str(p.Description),
		Type:                    in.str(p.Type),
		Download:                p.Download,
		Path:                    p.Path,
		Icons:                   in.images(p.Icons),
		PolicyTemplatesBehavior: in.str(p.PolicyTemplatesBehavior),
		Conditions:              in.conditions(p.Conditions),
		Owner:                   in.owner(p.Owner),
		Categories:              in.strs(p.Categories),
		SignaturePath:           p.SignaturePath,
		Discovery:               in.discovery(p.Discovery),
		Deprecated:              p.Deprecated,
		Requires:                in.requires(p.Requires),
		Group:                   in.str(p.Group),
		FormatVersion:           in.str(p.FormatVersion),
		PolicyTemplates:         in.policyTemplates(p.PolicyTemplates),
		DataStreams:             in.dataStreams(p.DataStreams),
		Runtime: Runtime{
			SemVer:           in.version(p.SemVer),
			KibanaConstraint: p.KibanaConstraint,
			AgentConstraint:  p.AgentConstraint,
			SpecMajorMinor:   in.version(p.SpecMajorMinor),
			BasePath:         p.BasePath,
			IsZip:            p.IsZip,
			Resolver:         p.Resolver,
			Files:            p.Files,
			Doc:              doc,
		},
	}
	if p.Conditions != nil {
		c.KibanaConstraint, c.AgentConstraint = in.constraints(p)
	}
	return c, nil
}

func (in *Interner) policyTemplates(pts []PolicyTemplate) []PolicyTemplate {
	if pts == nil {
		return nil
	}
	out := make([]PolicyTemplate, len(pts))
	for i, t := range pts {
		out[i] = PolicyTemplate{
			Name:            in.str(t.Name),
			Title:           in.str(t.Title),
			Description:     in.str(t.Description),
			DataStreams:     in.strs(t.DataStreams),
			Icons:           in.images(t.Icons),
			Categories:      in.strs(t.Categories),
			DeploymentModes: t.DeploymentModes,
			Deprecated:      t.Deprecated,
			HasCategories:   t.HasCategories,
		}
	}
	return out
}

func (in *Interner) dataStreams(dss []DataStream) []DataStream {
	if dss == nil {
		return nil
	}
	out := make([]DataStream, len(dss))
	for i, ds := range dss {
		out[i] = DataStream{
			Type:       in.str(ds.Type),
			Dataset:    in.str(ds.Dataset),
			Title:      in.str(ds.Title),
			Deprecated: ds.Deprecated,
		}
	}
	return out
}

func (in *Interner) images(imgs []Image) []Image {
	if imgs == nil {
		return nil
	}
	out := make([]Image, len(imgs))
	for i, img := range imgs {
		out[i] = Image{
			Src:   in.str(img.Src),
			Path:  img.Path, // holds name and version: unique
			Title: in.str(img.Title),
			Size:  in.str(img.Size),
			Type:  in.str(img.Type),
		}
	}
	return out
}

func (in *Interner) discovery(d *Discovery) *Discovery {
	if d == nil {
		return nil
	}
	out := &Discovery{}
	if d.Fields != nil {
		out.Fields = make([]DiscoveryField, len(d.Fields))
		for i, f := range d.Fields {
			out.Fields[i] = DiscoveryField{Name: in.str(f.Name)}
		}
	}
	if d.Datasets != nil {
		out.Datasets = make([]DiscoveryDataset, len(d.Datasets))
		for i, ds := range d.Datasets {
			out.Datasets[i] = DiscoveryDataset{Name: in.str(ds.Name)}
		}
	}
	return out
}

func (in *Interner) requires(r *Requires) *Requires {
	if r == nil {
		return nil
	}
	deps := func(list []PackageDependency) []PackageDependency {
		if list == nil {
			return nil
		}
		out := make([]PackageDependency, len(list))
		for i, d := range list {
			out[i] = PackageDependency{Package: in.str(d.Package), Version: in.str(d.Version)}
		}
		return out
	}
	return &Requires{Input: deps(r.Input), Content: deps(r.Content)}
}

// strs shares equal string lists. Shared lists are clipped, so that an
// append by a reader copies instead of writing into another package's list.
func (in *Interner) strs(list []string) []string {
	if list == nil {
		return nil
	}
	var b strings.Builder
	for _, s := range list {
		b.WriteString(quoteKey(s))
	}
	key := b.String()
	in.mu.Lock()
	defer in.mu.Unlock()
	if shared, ok := in.lists[key]; ok {
		return shared
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = in.str(s)
	}
	out = slices.Clip(out)
	in.lists[key] = out
	return out
}
