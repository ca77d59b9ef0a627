package loader

import "github.com/eprgo/package-registry/packages"

// Decoding of manifest.yml into the model. Fields are read in upstream's
// struct order (the JSON order of model.go), so that the first required-field
// error is the one upstream reports. Derived fields (download, path, readme,
// assets, signature_path, data_streams, image paths) are never read.

func decodePackage(d *decoder, n node) *packages.Package {
	p := &packages.Package{}
	d.str(n, "name", &p.Name)
	d.strPtr(n, "title", &p.Title)
	d.str(n, "version", &p.Version)
	d.str(n, "release", &p.Release)
	if o, ok := d.object(n, "source"); ok {
		p.Source = &packages.Source{}
		d.str(o, "license", &p.Source.License)
	}
	d.str(n, "description", &p.Description)
	d.str(n, "type", &p.Type)
	p.Icons = list(d, n, "icons", decodeImage)
	d.str(n, "policy_templates_behavior", &p.PolicyTemplatesBehavior)
	p.Conditions = decodeConditions(d, n)
	if o, ok := d.object(n, "owner"); ok {
		p.Owner = &packages.Owner{}
		d.str(o, "type", &p.Owner.Type)
		d.str(o, "github", &p.Owner.Github)
	}
	d.strings(n, "categories", &p.Categories)
	p.Discovery = decodeDiscovery(d, n)
	p.Deprecated = decodeDeprecated(d, n)
	if o, ok := d.object(n, "requires"); ok {
		p.Requires = &packages.Requires{
			Input:   list(d, o, "input", decodeDependency),
			Content: list(d, o, "content", decodeDependency),
		}
	}
	d.str(n, "group", &p.Group)
	d.str(n, "format_version", &p.FormatVersion)
	d.str(n, "license", &p.License)
	p.Screenshots = list(d, n, "screenshots", decodeImage)
	p.PolicyTemplates = list(d, n, "policy_templates", decodePolicyTemplate)
	p.Vars = list(d, n, "vars", decodeVariable)
	if o, ok := d.object(n, "elasticsearch"); ok {
		p.Elasticsearch = &packages.PackageElasticsearch{}
		if pr, ok := d.object(o, "privileges"); ok {
			p.Elasticsearch.Privileges = &packages.PackageElasticsearchPrivileges{}
			d.strings(pr, "cluster", &p.Elasticsearch.Privileges.Cluster)
		}
	}
	if o, ok := d.object(n, "agent"); ok {
		p.Agent = &packages.PackageAgent{Privileges: decodeAgentPrivileges(d, o)}
	}
	return p
}

func decodeImage(d *decoder, n node) packages.Image {
	var img packages.Image
	d.required(n, "src", &img.Src)
	d.str(n, "title", &img.Title)
	d.str(n, "size", &img.Size)
	d.str(n, "type", &img.Type)
	return img
}

func decodeConditions(d *decoder, n node) *packages.Conditions {
	o, ok := d.object(n, "conditions")
	if !ok {
		return nil
	}
	c := &packages.Conditions{}
	if k, ok := d.object(o, "kibana"); ok {
		c.Kibana = &packages.KibanaConditions{}
		d.str(k, "version", &c.Kibana.Version)
	}
	if e, ok := d.object(o, "elastic"); ok {
		c.Elastic = &packages.ElasticConditions{}
		d.str(e, "subscription", &c.Elastic.Subscription)
		d.strings(e, "capabilities", &c.Elastic.Capabilities)
	}
	if a, ok := d.object(o, "agent"); ok {
		c.Agent = &packages.AgentConditions{}
		d.str(a, "version", &c.Agent.Version)
	}
	return c
}

// decodeDiscovery normalises a discovery without entries to nil: such an
// object is not emitted in the package document.
func decodeDiscovery(d *decoder, n node) *packages.Discovery {
	o, ok := d.object(n, "discovery")
	if !ok {
		return nil
	}
	disc := &packages.Discovery{
		Fields: list(d, o, "fields", func(d *decoder, n node) packages.DiscoveryField {
			var f packages.DiscoveryField
			d.required(n, "name", &f.Name)
			return f
		}),
		Datasets: list(d, o, "datasets", func(d *decoder, n node) packages.DiscoveryDataset {
			var f packages.DiscoveryDataset
			d.required(n, "name", &f.Name)
			return f
		}),
	}
	if len(disc.Fields) == 0 && len(disc.Datasets) == 0 {
		return nil
	}
	return disc
}

func decodeDeprecated(d *decoder, n node) *packages.Deprecated {
	o, ok := d.object(n, "deprecated")
	if !ok {
		return nil
	}
	dep := &packages.Deprecated{}
	d.str(o, "since", &dep.Since)
	d.str(o, "description", &dep.Description)
	if r, ok := d.object(o, "replaced_by"); ok {
		dep.ReplacedBy = &packages.ReplacedBy{}
		d.str(r, "package", &dep.ReplacedBy.Package)
		d.str(r, "policy_template", &dep.ReplacedBy.PolicyTemplate)
		d.str(r, "input", &dep.ReplacedBy.Input)
		d.str(r, "data_stream", &dep.ReplacedBy.DataStream)
		d.str(r, "variable", &dep.ReplacedBy.Variable)
	}
	return dep
}

func decodeDependency(d *decoder, n node) packages.PackageDependency {
	var dep packages.PackageDependency
	d.required(n, "package", &dep.Package)
	d.required(n, "version", &dep.Version)
	return dep
}

func decodeAgentPrivileges(d *decoder, n node) *packages.AgentPrivileges {
	o, ok := d.object(n, "privileges")
	if !ok {
		return nil
	}
	pr := &packages.AgentPrivileges{}
	d.boolean(o, "root", &pr.Root)
	return pr
}

// decodePolicyTemplate reads a policy template. Its `vars` are not part of
// the upstream model and are dropped, as upstream drops them.
func decodePolicyTemplate(d *decoder, n node) packages.PolicyTemplate {
	var pt packages.PolicyTemplate
	d.required(n, "name", &pt.Name)
	d.required(n, "title", &pt.Title)
	d.required(n, "description", &pt.Description)
	d.strings(n, "data_streams", &pt.DataStreams)
	pt.Inputs = list(d, n, "inputs", decodeInput)
	d.boolPtr(n, "multiple", &pt.Multiple)
	pt.Icons = list(d, n, "icons", decodeImage)
	pt.HasCategories = n.has("categories")
	d.strings(n, "categories", &pt.Categories)
	pt.Screenshots = list(d, n, "screenshots", decodeImage)
	if o, ok := d.object(n, "deployment_modes"); ok {
		pt.DeploymentModes = decodeDeploymentModes(d, o)
	}
	d.str(n, "type", &pt.Type)
	d.str(n, "input", &pt.Input)
	d.str(n, "ingestion_method", &pt.IngestionMethod)
	d.str(n, "template_path", &pt.TemplatePath)
	pt.Deprecated = decodeDeprecated(d, n)
	return pt
}

func decodeDeploymentModes(d *decoder, n node) *packages.DeploymentModes {
	dm := &packages.DeploymentModes{}
	if o, ok := d.object(n, "default"); ok {
		dm.Default = &packages.DefaultDeploymentMode{}
		d.boolean(o, "enabled", &dm.Default.Enabled)
	}
	if o, ok := d.object(n, "agentless"); ok {
		dm.Agentless = &packages.AgentlessDeploymentMode{}
		d.boolean(o, "enabled", &dm.Agentless.Enabled)
		d.boolPtr(o, "is_default", &dm.Agentless.IsDefault)
		d.str(o, "release", &dm.Agentless.Release)
	}
	return dm
}

func decodeInput(d *decoder, n node) packages.Input {
	var in packages.Input
	d.str(n, "type", &in.Type)
	d.str(n, "package", &in.Package)
	in.Vars = list(d, n, "vars", decodeVariable)
	d.str(n, "title", &in.Title)
	d.str(n, "description", &in.Description)
	in.Streams = list(d, n, "streams", decodeStream)
	d.str(n, "template_path", &in.TemplatePath)
	d.str(n, "input_group", &in.InputGroup)
	d.strings(n, "deployment_modes", &in.DeploymentModes)
	in.Deprecated = decodeDeprecated(d, n)
	return in
}

func decodeStream(d *decoder, n node) packages.Stream {
	var s packages.Stream
	d.str(n, "input", &s.Input)
	d.str(n, "package", &s.Package)
	s.Vars = list(d, n, "vars", decodeVariable)
	d.str(n, "data_stream", &s.DataStream)
	d.str(n, "template_path", &s.TemplatePath)
	d.str(n, "title", &s.Title)
	d.str(n, "description", &s.Description)
	d.boolPtr(n, "enabled", &s.Enabled)
	d.str(n, "ingestion_method", &s.IngestionMethod)
	return s
}

func decodeVariable(d *decoder, n node) packages.Variable {
	var v packages.Variable
	d.str(n, "name", &v.Name)
	d.str(n, "type", &v.Type)
	d.str(n, "title", &v.Title)
	d.str(n, "description", &v.Description)
	d.boolean(n, "multi", &v.Multi)
	d.boolean(n, "required", &v.Required)
	d.boolean(n, "show_user", &v.ShowUser)
	v.Default = d.value(n, "default")
	v.Deprecated = decodeDeprecated(d, n)
	return v
}

// decodeDataStream reads data_stream/<d>/manifest.yml. Derived fields
// (package, path, defaults) are set by the data stream builder.
func decodeDataStream(d *decoder, n node) *packages.DataStream {
	ds := &packages.DataStream{}
	d.required(n, "type", &ds.Type)
	d.str(n, "dataset", &ds.Dataset)
	d.boolean(n, "hidden", &ds.Hidden)
	d.str(n, "ilm_policy", &ds.ILMPolicy)
	d.boolean(n, "dataset_is_prefix", &ds.DatasetIsPrefix)
	d.required(n, "title", &ds.Title)
	d.str(n, "release", &ds.Release)
	d.str(n, "ingest_pipeline", &ds.IngestPipeline)
	ds.Streams = list(d, n, "streams", decodeStream)
	if o, ok := d.object(n, "elasticsearch"); ok {
		es := &packages.DataStreamElasticsearch{}
		if it, ok := d.object(o, "index_template"); ok {
			es.IndexTemplateSettings = d.settingsMap(it, "settings")
			es.IndexTemplateMappings = d.settingsMap(it, "mappings")
		}
		if ip, ok := d.object(o, "ingest_pipeline"); ok {
			d.str(ip, "name", &es.IngestPipelineName)
		}
		if pr, ok := d.object(o, "privileges"); ok {
			es.Privileges = &packages.DataStreamElasticsearchPrivs{}
			d.strings(pr, "indices", &es.Privileges.Indices)
		}
		ds.Elasticsearch = es
	}
	if o, ok := d.object(n, "agent"); ok {
		ds.Agent = &packages.DataStreamAgent{Privileges: decodeAgentPrivileges(d, o)}
	}
	ds.Deprecated = decodeDeprecated(d, n)
	return ds
}
