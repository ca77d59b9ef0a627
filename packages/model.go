// Package packages is the registry's package model: the manifest and
// package document types, the /search and /categories filters and query
// parsing, their rendering, the package document and the compact form
// kept in memory. It is pure: it reads no files and knows nothing of HTTP
// or logging. Reading packages from disk is the loader package's job;
// serving them is the server's.
package packages

// The types in this file are the package JSON model. Field order and
// omission rules are the contract of the /package/{name}/{version}/ document
// (upstream's bytes, docs/api.md); encoding/json keeps struct field order,
// so the order of the fields below must not change.

// Package is one package version: the full /package/{n}/{v}/ document plus
// the runtime values the registry derives from it (not serialised).
type Package struct {
	Name                    string      `json:"name"`
	Title                   *string     `json:"title,omitempty"`
	Version                 string      `json:"version"`
	Release                 string      `json:"release,omitempty"`
	Source                  *Source     `json:"source,omitempty"`
	Description             string      `json:"description"`
	Type                    string      `json:"type"`
	Download                string      `json:"download"`
	Path                    string      `json:"path"`
	Icons                   []Image     `json:"icons,omitempty"`
	PolicyTemplatesBehavior string      `json:"policy_templates_behavior,omitempty"`
	Conditions              *Conditions `json:"conditions,omitempty"`
	Owner                   *Owner      `json:"owner,omitempty"`
	Categories              []string    `json:"categories,omitempty"`
	SignaturePath           string      `json:"signature_path,omitempty"`
	Discovery               *Discovery  `json:"discovery,omitempty"`
	Deprecated              *Deprecated `json:"deprecated,omitempty"`
	Requires                *Requires   `json:"requires,omitempty"`
	Group                   string      `json:"group,omitempty"`

	FormatVersion   string                `json:"format_version"`
	Readme          string                `json:"readme,omitempty"`
	License         string                `json:"license,omitempty"`
	Screenshots     []Image               `json:"screenshots,omitempty"`
	Assets          []string              `json:"assets,omitempty"`
	PolicyTemplates []PolicyTemplate      `json:"policy_templates,omitempty"`
	DataStreams     []DataStream          `json:"data_streams,omitempty"`
	Vars            []Variable            `json:"vars,omitempty"`
	Elasticsearch   *PackageElasticsearch `json:"elasticsearch,omitempty"`
	Agent           *PackageAgent         `json:"agent,omitempty"`

	// Runtime is everything derived for serving; see runtime.go.
	Runtime `json:"-"`
}

type Source struct {
	License string `json:"license,omitempty"`
}

type Image struct {
	Src   string `json:"src"`
	Path  string `json:"path"`
	Title string `json:"title,omitempty"`
	Size  string `json:"size,omitempty"`
	Type  string `json:"type,omitempty"`
}

type Conditions struct {
	Kibana  *KibanaConditions  `json:"kibana,omitempty"`
	Elastic *ElasticConditions `json:"elastic,omitempty"`
	Agent   *AgentConditions   `json:"agent,omitempty"`
}

type KibanaConditions struct {
	Version string `json:"version"`
}

type ElasticConditions struct {
	Subscription string   `json:"subscription"`
	Capabilities []string `json:"capabilities,omitempty"`
}

type AgentConditions struct {
	Version string `json:"version"`
}

type Owner struct {
	Type   string `json:"type,omitempty"`
	Github string `json:"github,omitempty"`
}

// Discovery is omitted from output when both lists are empty; loaders
// normalise such a value to nil.
type Discovery struct {
	Fields   []DiscoveryField   `json:"fields,omitempty"`
	Datasets []DiscoveryDataset `json:"datasets,omitempty"`
}

type DiscoveryField struct {
	Name string `json:"name"`
}

type DiscoveryDataset struct {
	Name string `json:"name"`
}

type Deprecated struct {
	Since       string      `json:"since"`
	Description string      `json:"description"`
	ReplacedBy  *ReplacedBy `json:"replaced_by,omitempty"`
}

type ReplacedBy struct {
	Package        string `json:"package,omitempty"`
	PolicyTemplate string `json:"policy_template,omitempty"`
	Input          string `json:"input,omitempty"`
	DataStream     string `json:"data_stream,omitempty"`
	Variable       string `json:"variable,omitempty"`
}

type Requires struct {
	Input   []PackageDependency `json:"input,omitempty"`
	Content []PackageDependency `json:"content,omitempty"`
}

type PackageDependency struct {
	Package string `json:"package"`
	Version string `json:"version"`
}

type PackageElasticsearch struct {
	Privileges *PackageElasticsearchPrivileges `json:"privileges,omitempty"`
}

type PackageElasticsearchPrivileges struct {
	Cluster []string `json:"cluster,omitempty"`
}

type PackageAgent struct {
	Privileges *AgentPrivileges `json:"privileges,omitempty"`
}

type AgentPrivileges struct {
	Root bool `json:"root,omitempty"`
}

type PolicyTemplate struct {
	Name            string           `json:"name"`
	Title           string           `json:"title"`
	Description     string           `json:"description"`
	DataStreams     []string         `json:"data_streams,omitempty"`
	Inputs          []Input          `json:"inputs,omitempty"`
	Multiple        *bool            `json:"multiple,omitempty"`
	Icons           []Image          `json:"icons,omitempty"`
	Categories      []string         `json:"categories,omitempty"`
	Screenshots     []Image          `json:"screenshots,omitempty"`
	Readme          string           `json:"readme,omitempty"`
	DeploymentModes *DeploymentModes `json:"deployment_modes,omitempty"`
	Type            string           `json:"type,omitempty"`
	Input           string           `json:"input,omitempty"`
	IngestionMethod string           `json:"ingestion_method,omitempty"`
	TemplatePath    string           `json:"template_path,omitempty"`
	Deprecated      *Deprecated      `json:"deprecated,omitempty"`

	// HasCategories records whether the manifest had a `categories` key
	// (even an empty list); /categories?include_policy_templates counts a
	// lone template without the key differently (see countPolicyTemplates).
	HasCategories bool `json:"-"`
}

type DeploymentModes struct {
	Default   *DefaultDeploymentMode   `json:"default,omitempty"`
	Agentless *AgentlessDeploymentMode `json:"agentless,omitempty"`
}

type DefaultDeploymentMode struct {
	Enabled bool `json:"enabled"`
}

type AgentlessDeploymentMode struct {
	Enabled   bool   `json:"enabled"`
	IsDefault *bool  `json:"is_default,omitempty"`
	Release   string `json:"release,omitempty"`
}

type Input struct {
	Type            string      `json:"type,omitempty"`
	Package         string      `json:"package,omitempty"`
	Vars            []Variable  `json:"vars,omitempty"`
	Title           string      `json:"title,omitempty"`
	Description     string      `json:"description,omitempty"`
	Streams         []Stream    `json:"streams,omitempty"`
	TemplatePath    string      `json:"template_path,omitempty"`
	InputGroup      string      `json:"input_group,omitempty"`
	DeploymentModes []string    `json:"deployment_modes,omitempty"`
	Deprecated      *Deprecated `json:"deprecated,omitempty"`
}

type Stream struct {
	Input           string     `json:"input,omitempty"`
	Package         string     `json:"package,omitempty"`
	Vars            []Variable `json:"vars,omitempty"`
	DataStream      string     `json:"data_stream,omitempty"`
	TemplatePath    string     `json:"template_path,omitempty"`
	Title           string     `json:"title,omitempty"`
	Description     string     `json:"description,omitempty"`
	Enabled         *bool      `json:"enabled,omitempty"`
	IngestionMethod string     `json:"ingestion_method,omitempty"`
}

// Variable.Default uses HasDefault because false, 0, "" and [] are emitted
// while an absent/null/{} default is not, as upstream emits them.
type Variable struct {
	Name        string      `json:"name"`
	Type        string      `json:"type"`
	Title       string      `json:"title,omitempty"`
	Description string      `json:"description,omitempty"`
	Multi       bool        `json:"multi"`
	Required    bool        `json:"required"`
	ShowUser    bool        `json:"show_user"`
	Default     *Value      `json:"default,omitempty"`
	Deprecated  *Deprecated `json:"deprecated,omitempty"`
}

// Value holds a free-form value (var defaults, index templates): nil, bool,
// int64, uint64, float64, string, []any or map[string]any.
type Value struct {
	V any
}

type DataStream struct {
	Type            string                   `json:"type"`
	Dataset         string                   `json:"dataset,omitempty"`
	Hidden          bool                     `json:"hidden,omitempty"`
	ILMPolicy       string                   `json:"ilm_policy,omitempty"`
	DatasetIsPrefix bool                     `json:"dataset_is_prefix,omitempty"`
	Title           string                   `json:"title"`
	Release         string                   `json:"release,omitempty"`
	IngestPipeline  string                   `json:"ingest_pipeline,omitempty"`
	Streams         []Stream                 `json:"streams,omitempty"`
	Package         string                   `json:"package,omitempty"`
	Elasticsearch   *DataStreamElasticsearch `json:"elasticsearch,omitempty"`
	Agent           *DataStreamAgent         `json:"agent,omitempty"`
	Path            string                   `json:"path,omitempty"`
	Deprecated      *Deprecated              `json:"deprecated,omitempty"`
}

type DataStreamElasticsearch struct {
	IndexTemplateSettings map[string]any                `json:"index_template.settings,omitempty"`
	IndexTemplateMappings map[string]any                `json:"index_template.mappings,omitempty"`
	IngestPipelineName    string                        `json:"ingest_pipeline.name,omitempty"`
	Privileges            *DataStreamElasticsearchPrivs `json:"privileges,omitempty"`
}

type DataStreamElasticsearchPrivs struct {
	Indices []string `json:"indices,omitempty"`
}

type DataStreamAgent struct {
	Privileges *AgentPrivileges `json:"privileges,omitempty"`
}
