package packages

// searchItem is the /search projection of a package (docs/api.md). It is
// a separate type because the key order
// differs from the package document: policy_templates and data_streams sit
// in the middle here.
type searchItem struct {
	Name                    string                 `json:"name"`
	Title                   *string                `json:"title,omitempty"`
	Version                 string                 `json:"version"`
	Release                 string                 `json:"release,omitempty"`
	Source                  *Source                `json:"source,omitempty"`
	Description             string                 `json:"description"`
	Type                    string                 `json:"type"`
	Download                string                 `json:"download"`
	Path                    string                 `json:"path"`
	Icons                   []Image                `json:"icons,omitempty"`
	PolicyTemplatesBehavior string                 `json:"policy_templates_behavior,omitempty"`
	PolicyTemplates         []searchPolicyTemplate `json:"policy_templates,omitempty"`
	Conditions              *Conditions            `json:"conditions,omitempty"`
	Owner                   *Owner                 `json:"owner,omitempty"`
	Categories              []string               `json:"categories,omitempty"`
	SignaturePath           string                 `json:"signature_path,omitempty"`
	Discovery               *Discovery             `json:"discovery,omitempty"`
	DataStreams             []searchDataStream     `json:"data_streams,omitempty"`
	Deprecated              *Deprecated            `json:"deprecated,omitempty"`
	Requires                *Requires              `json:"requires,omitempty"`
	Group                   string                 `json:"group,omitempty"`
}

// searchPolicyTemplate is the policy template summary of a /search item.
type searchPolicyTemplate struct {
	Name            string           `json:"name"`
	Title           string           `json:"title"`
	Description     string           `json:"description"`
	Icons           []Image          `json:"icons,omitempty"`
	Categories      []string         `json:"categories,omitempty"`
	DeploymentModes *DeploymentModes `json:"deployment_modes,omitempty"`
	DataStreams     []string         `json:"data_streams,omitempty"`
	Deprecated      *Deprecated      `json:"deprecated,omitempty"`
}

// searchDataStream is the data stream summary of a /search item.
type searchDataStream struct {
	Type       string      `json:"type,omitempty"`
	Dataset    string      `json:"dataset"`
	Title      string      `json:"title"`
	Deprecated *Deprecated `json:"deprecated,omitempty"`
}

func newSearchItem(p *Package) *searchItem {
	it := &searchItem{
		Name:                    p.Name,
		Title:                   p.Title,
		Version:                 p.Version,
		Release:                 p.Release,
		Source:                  p.Source,
		Description:             p.Description,
		Type:                    p.Type,
		Download:                p.Download,
		Path:                    p.Path,
		Icons:                   p.Icons,
		PolicyTemplatesBehavior: p.PolicyTemplatesBehavior,
		Conditions:              p.Conditions,
		Owner:                   p.Owner,
		Categories:              p.Categories,
		SignaturePath:           p.SignaturePath,
		Deprecated:              p.Deprecated,
		Requires:                p.Requires,
		Group:                   p.Group,
	}
	if d := p.Discovery; d != nil && (len(d.Fields) > 0 || len(d.Datasets) > 0) {
		it.Discovery = d
	}
	if len(p.PolicyTemplates) > 0 {
		it.PolicyTemplates = make([]searchPolicyTemplate, len(p.PolicyTemplates))
		for i, t := range p.PolicyTemplates {
			it.PolicyTemplates[i] = searchPolicyTemplate{
				Name:            t.Name,
				Title:           t.Title,
				Description:     t.Description,
				Icons:           t.Icons,
				Categories:      t.Categories,
				DeploymentModes: t.DeploymentModes,
				DataStreams:     t.DataStreams,
				Deprecated:      t.Deprecated,
			}
		}
	}
	if len(p.DataStreams) > 0 {
		it.DataStreams = make([]searchDataStream, len(p.DataStreams))
		for i, ds := range p.DataStreams {
			it.DataStreams[i] = searchDataStream{
				Type:       ds.Type,
				Dataset:    ds.Dataset,
				Title:      ds.Title,
				Deprecated: ds.Deprecated,
			}
		}
	}
	return it
}
