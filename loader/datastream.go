package loader

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/eprgo/package-registry/packages"
)

// dataStreamDirs lists the data stream directories: every <d> with a
// data_stream/<d>/manifest.yml, in file system order.
func dataStreamDirs(fsys PackageFS) ([]string, error) {
	matches, err := fsys.Glob("data_stream/*/manifest.yml")
	if err != nil {
		return nil, err
	}
	dirs := make([]string, 0, len(matches))
	for _, m := range matches {
		dirs = append(dirs, strings.Split(m, "/")[1])
	}
	return dirs, nil
}

// buildDataStream reads data_stream/<dir>/manifest.yml and applies the
// defaults. With validate, the data stream validation also runs during the
// decoding, before any default is set, as upstream's decoder does it; this
// is why an explicit dataset with "-" is reported as a building error.
func buildDataStream(fsys PackageFS, p *packages.Package, dir string, validate bool) (*packages.DataStream, error) {
	manifestPath := path.Join("data_stream", dir, "manifest.yml")
	data, err := readFile(fsys, manifestPath)
	if err != nil {
		return nil, err
	}
	tree, err := loadCacheOf(fsys).mapping(manifestPath, data)
	if err != nil {
		return nil, err
	}
	d := &decoder{}
	ds := decodeDataStream(d, node{m: tree})
	if d.err == nil && validate {
		if err := validateDataStream(fsys, ds, dir); err != nil {
			d.fail(fmt.Errorf("%w accessing config", err))
		}
	}
	if d.err != nil {
		return nil, fmt.Errorf("error building data stream (path: %s) in package: %s: %w", dir, p.Name, d.err)
	}

	ds.Package = p.Name
	ds.Path = dir
	if ds.Dataset == "" {
		ds.Dataset = p.Name + "." + dir
	}
	if ds.Release == "" {
		ds.Release = p.Release
	}
	if !validRelease(ds.Release) {
		return nil, fmt.Errorf("invalid release: %q", ds.Release)
	}
	for i := range ds.Streams {
		completeStream(&ds.Streams[i])
	}
	if err := detectIngestPipeline(fsys, ds, dir); err != nil {
		return nil, err
	}
	return ds, nil
}

// completeStream applies the data-stream stream defaults; a mapped input
// replaces any ingestion_method from the manifest.
func completeStream(s *packages.Stream) {
	if s.Enabled == nil {
		enabled := true
		s.Enabled = &enabled
	}
	if s.TemplatePath == "" {
		s.TemplatePath = "stream.yml.hbs"
	}
	if m := ingestionMethod(s.Input); m != "" {
		s.IngestionMethod = m
	}
}

func ingestPipelineDir(dir string) string {
	return path.Join("data_stream", dir, "elasticsearch", "ingest_pipeline")
}

// detectIngestPipeline sets the default pipeline and rejects pipeline
// directories nothing refers to. It runs even without validation, as
// upstream's does.
func detectIngestPipeline(fsys PackageFS, ds *packages.DataStream, dir string) error {
	pipelines, err := fsys.Glob(ingestPipelineDir(dir) + "/*")
	if err != nil {
		return err
	}
	hasDefault := false
	for _, p := range pipelines {
		if b := path.Base(p); b == "default.json" || b == "default.yml" {
			hasDefault = true
		}
	}
	switch {
	case ds.Elasticsearch != nil && ds.Elasticsearch.IngestPipelineName == "":
		if hasDefault {
			// This overwrites a legacy ingest_pipeline, as upstream does.
			ds.Elasticsearch.IngestPipelineName = "default"
			ds.IngestPipeline = "default"
		}
	case ds.IngestPipeline == "" && hasDefault:
		ds.IngestPipeline = "default"
	}
	if ds.IngestPipeline == "" && len(pipelines) > 0 {
		return fmt.Errorf("unused pipelines in the package (dataset: %s): %s", ds.Dataset, strings.Join(pipelines, ","))
	}
	return nil
}

var validDataStreamTypes = map[string]bool{"logs": true, "metrics": true, "synthetics": true, "traces": true}

// validateDataStream is the data-stream validation switched off by
// -disable-package-validation, in upstream's order.
func validateDataStream(fsys PackageFS, ds *packages.DataStream, dir string) error {
	return validateDataStreamChecks(fsys, ds, dir, true)
}

// validateDataStreamChecks runs the checks; without full it stops before
// the ones that revalidateDataStream knows to pass.
func validateDataStreamChecks(fsys PackageFS, ds *packages.DataStream, dir string, full bool) error {
	if strings.Contains(ds.Dataset, "-") {
		return fmt.Errorf("data stream name is not allowed to contain `-`: %s", ds.Dataset)
	}
	if !validDataStreamTypes[ds.Type] {
		return fmt.Errorf("type is not valid: %s", ds.Type)
	}
	if ds.IngestPipeline != "" {
		if err := validateIngestPipeline(fsys, dir, ds.IngestPipeline); err != nil {
			return err
		}
	}
	if !full {
		return nil
	}
	if err := validateRequiredFields(fsys, dir); err != nil {
		return fmt.Errorf("validating required fields failed: %w", err)
	}
	for _, s := range ds.Streams {
		switch {
		case s.Input == "" && s.Package == "":
			return fmt.Errorf("stream %s must have a input or package", s.Title)
		case s.Input != "" && s.Package != "":
			return fmt.Errorf("stream %s must have a input or package, but not both", s.Title)
		}
	}
	return nil
}

// validateIngestPipeline checks that the pipeline named by the legacy
// ingest_pipeline key exists as N.json or N.yml and parses. Both messages
// quirks are upstream's (Q6): the YAML error prints the .json path and the
// "does not exist" error has no "/" before the name.
func validateIngestPipeline(fsys PackageFS, dir, name string) error {
	base := ingestPipelineDir(dir)
	jsonPath := path.Join(base, name+".json")
	ymlPath := path.Join(base, name+".yml")
	found := false

	data, err := readFile(fsys, jsonPath)
	switch {
	case err == nil:
		found = true
		if err := loadCacheOf(fsys).check(keyOf("json-object", data), func() error { return checkJSONObject(data) }); err != nil {
			return fmt.Errorf("validating ingest pipeline JSON file failed (path: %s): %w", jsonPath, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("validating ingest pipeline JSON file failed (path: %s): %w", jsonPath, err)
	}

	data, err = readFile(fsys, ymlPath)
	switch {
	case err == nil:
		found = true
		if err := loadCacheOf(fsys).check(keyOf("yaml-mapping", data), func() error { return checkYAMLMapping(ymlPath, data) }); err != nil {
			return fmt.Errorf("validating ingest pipeline YAML file failed (path: %s): %w", jsonPath, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("validating ingest pipeline YAML file failed (path: %s): %w", jsonPath, err)
	}

	if !found {
		return fmt.Errorf("defined ingest_pipeline does not exist: %s%s", base, name)
	}
	return nil
}

// checkJSONObject accepts a JSON document that decodes into a map.
func checkJSONObject(data []byte) error {
	var obj map[string]any
	return json.Unmarshal(data, &obj)
}

// checkYAMLMapping accepts a YAML document that decodes into a map (or is
// empty), like decoding into map[string]interface{} would.
func checkYAMLMapping(name string, data []byte) error {
	tree, err := parsePlainYAML(name, data)
	if err != nil {
		return err
	}
	switch tree.(type) {
	case nil, *yamlMap:
		return nil
	}
	return fmt.Errorf("yaml: unmarshal errors:\n  cannot unmarshal !!%s into map[string]interface {}", yamlKindName(tree))
}
