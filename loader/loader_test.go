package loader

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

func TestLoadPackageDerivedValues(t *testing.T) {
	cases := []struct {
		name, version, extra string
		pick                 func(p *packages.Package) any
		want                 string
	}{
		{"release ga", "1.0.0", "", func(p *packages.Package) any { return p.Release }, `"ga"`},
		{"release of a prerelease", "1.0.0-rc.1", "", func(p *packages.Package) any { return p.Release }, `"beta"`},
		{"release of 0.x", "0.9.0", "", func(p *packages.Package) any { return p.Release }, `"beta"`},
		{"explicit release kept", "1.2.0-rc1", "release: ga", func(p *packages.Package) any { return p.Release }, `"ga"`},
		{"experimental kept", "1.0.0", "release: experimental", func(p *packages.Package) any { return p.Release }, `"experimental"`},
		{"type default", "1.0.0", "", func(p *packages.Package) any { return p.Type }, `"integration"`},
		{"free type", "1.0.0", "type: solution", func(p *packages.Package) any { return p.Type }, `"solution"`},
		{"license default", "1.0.0", "", func(p *packages.Package) any { return p.License }, `"basic"`},
		{"license from subscription", "1.0.0", "conditions: {elastic: {subscription: gold}}", func(p *packages.Package) any { return p.License }, `"gold"`},
		{"explicit license wins", "1.0.0", "license: platinum\nconditions: {elastic: {subscription: gold}}", func(p *packages.Package) any { return p.License }, `"platinum"`},
		{"empty subscription", "1.0.0", "conditions: {elastic: {subscription: ''}}", func(p *packages.Package) any { return p.License }, `"basic"`},
		{"download and path", "1.0.0", "", func(p *packages.Package) any { return []string{p.Download, p.Path, p.Readme} },
			`["/epr/t/t-1.0.0.zip","/package/t/1.0.0","/package/t/1.0.0/docs/README.md"]`},
		{"image path cleaned", "1.0.0", "icons: [{src: img/../img/a.svg}]\nscreenshots: [{src: /img/a.svg}]",
			func(p *packages.Package) any { return []string{p.Icons[0].Path, p.Screenshots[0].Path} },
			`["/package/t/1.0.0/img/a.svg","/package/t/1.0.0/img/a.svg"]`},
		{"multiple default and policy template readme", "1.0.0", "policy_templates: [{name: pt, title: b, description: c}, {name: other, title: b, description: c}]",
			func(p *packages.Package) any { return p.PolicyTemplates },
			`[{"name":"pt","title":"b","description":"c","multiple":true,"readme":"/package/t/1.0.0/docs/pt.md"},{"name":"other","title":"b","description":"c","multiple":true}]`},
		{"ingestion method of integration templates passes through", "1.0.0", "policy_templates: [{name: a, title: b, description: c, input: tcp, ingestion_method: Manual}]",
			func(p *packages.Package) any { return p.PolicyTemplates[0].IngestionMethod }, `"Manual"`},
		{"input package ingestion method from the table", "1.0.0", "type: input\npolicy_templates: [{name: a, title: b, description: c, input: tcp, ingestion_method: Manual}]",
			func(p *packages.Package) any { return p.PolicyTemplates[0].IngestionMethod }, `"Network Protocol"`},
		{"input package unmapped input erases the method", "1.0.0", "type: input\npolicy_templates: [{name: a, title: b, description: c, input: sql, ingestion_method: Manual}]",
			func(p *packages.Package) any { return p.PolicyTemplates[0].IngestionMethod }, `""`},
		{"input package without input keeps the method", "1.0.0", "type: input\npolicy_templates: [{name: a, title: b, description: c, ingestion_method: Manual}]",
			func(p *packages.Package) any { return p.PolicyTemplates[0].IngestionMethod }, `"Manual"`},
		{"runtime values", "1.2.3", "format_version: 3.4.5\nconditions: {kibana.version: ^8.0.0, agent.version: ^8.1.0}",
			func(p *packages.Package) any {
				return []string{p.SemVer.String(), p.SpecMajorMinor.String(), p.KibanaConstraint.String(), p.AgentConstraint.String()}
			}, `["1.2.3","3.4.0","^8.0.0","^8.1.0"]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			manifest := strings.Replace(minimalManifest, "version: 1.0.0", "version: "+c.version, 1)
			if strings.Contains(c.extra, "format_version") {
				manifest = strings.Replace(manifest, "format_version: 3.0.0\n", "", 1)
			}
			files := merge(minimalFiles(), map[string]string{
				"manifest.yml": manifest + c.extra + "\n",
				"img/a.svg":    "svg",
				"docs/pt.md":   "pt",
			})
			p, err := Load(writePackageDir(t, c.version, files), Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(c.pick(p))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestLoadPackageWithoutFormatVersion(t *testing.T) {
	files := merge(minimalFiles(), map[string]string{"manifest.yml": strings.Replace(minimalManifest, "format_version: 3.0.0\n", "", 1)})
	p, err := Load(writePackageDir(t, "1.0.0", files), Options{DisableValidation: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.SpecMajorMinor != nil || p.FormatVersion != "" {
		t.Errorf("format version %q, spec %v", p.FormatVersion, p.SpecMajorMinor)
	}
	out, _ := packages.MarshalIndentJSON(p)
	if !strings.Contains(string(out), `"format_version": "",`) {
		t.Errorf("format_version not emitted as \"\":\n%s", out)
	}
}

func TestLoadPackageIngestPipelineDetection(t *testing.T) {
	pipelineDir := "data_stream/ds/elasticsearch/ingest_pipeline/"
	cases := []struct {
		name      string
		manifest  string
		pipelines []string
		want      string // ingest_pipeline + elasticsearch of the data stream
	}{
		{"no pipelines", "", nil, `{"type":"logs","dataset":"t.ds","title":"DS","release":"ga","package":"t","path":"ds"}`},
		{"default.json without elasticsearch block", "", []string{"default.json"},
			`{"type":"logs","dataset":"t.ds","title":"DS","release":"ga","ingest_pipeline":"default","package":"t","path":"ds"}`},
		{"default.yml with elasticsearch block", "elasticsearch: {index_template.mappings: {subobjects: false}}\n", []string{"default.yml"},
			`{"type":"logs","dataset":"t.ds","title":"DS","release":"ga","ingest_pipeline":"default","package":"t","elasticsearch":{"index_template.mappings":{"subobjects":false},"ingest_pipeline.name":"default"},"path":"ds"}`},
		{"elasticsearch block overwrites the legacy key", "ingest_pipeline: other\nelasticsearch: {}\n", []string{"default.json", "other.json"},
			`{"type":"logs","dataset":"t.ds","title":"DS","release":"ga","ingest_pipeline":"default","package":"t","elasticsearch":{"ingest_pipeline.name":"default"},"path":"ds"}`},
		{"legacy key with other unused files", "ingest_pipeline: entry\n", []string{"entry.yml", "other.json"},
			`{"type":"logs","dataset":"t.ds","title":"DS","release":"ga","ingest_pipeline":"entry","package":"t","path":"ds"}`},
		{"pipeline name plus default", "elasticsearch: {ingest_pipeline.name: foo}\n", []string{"default.yml", "foo.yml"},
			`{"type":"logs","dataset":"t.ds","title":"DS","release":"ga","ingest_pipeline":"default","package":"t","elasticsearch":{"ingest_pipeline.name":"foo"},"path":"ds"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := merge(minimalFiles(), validDataStream("ds", dsManifest+c.manifest))
			for _, p := range c.pipelines {
				files[pipelineDir+p] = "{}"
			}
			for _, disable := range []bool{false, true} {
				p, err := Load(writePackageDir(t, "1.0.0", files), Options{DisableValidation: disable})
				if err != nil {
					t.Fatal(err)
				}
				if got := compactJSON(t, p.DataStreams[0]); got != c.want {
					t.Errorf("disable=%v:\ngot  %s\nwant %s", disable, got, c.want)
				}
			}
		})
	}
}

func TestLoadPackageDataStreamDefaults(t *testing.T) {
	files := merge(minimalFiles(),
		validDataStream("b", "title: B\ntype: metrics\nname: ignored.name\nstreams:\n  - input: nginx/metrics\n  - input: weird\n    ingestion_method: Custom2\n    enabled: false\n  - input: logfile\n    ingestion_method: Custom\n    template_path: x.hbs\n"),
		validDataStream("a", "title: A\ntype: logs\nrelease: experimental\ndataset: custom.set\n"),
		map[string]string{"data_stream/c/fields/x.yml": "[]", "data_stream/a/sub/manifest.yml": "not: a data stream"},
	)
	files["manifest.yml"] = strings.Replace(minimalManifest, "version: 1.0.0", "version: 0.1.0", 1)
	p, err := Load(writePackageDir(t, "0.1.0", files), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"type":"logs","dataset":"custom.set","title":"A","release":"experimental","package":"t","path":"a"},` +
		`{"type":"metrics","dataset":"t.b","title":"B","release":"beta","streams":[` +
		`{"input":"nginx/metrics","template_path":"stream.yml.hbs","enabled":true,"ingestion_method":"API"},` +
		`{"input":"weird","template_path":"stream.yml.hbs","enabled":false,"ingestion_method":"Custom2"},` +
		`{"input":"logfile","template_path":"x.hbs","enabled":true,"ingestion_method":"File"}],"package":"t","path":"b"}]`
	if got := compactJSON(t, p.DataStreams); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestLoadPackageAssets(t *testing.T) {
	files := merge(minimalFiles(), map[string]string{
		"LICENSE.txt":               "l",
		"changelog.yml":             "c",
		".hidden":                   "h",
		".DS_Store":                 "x",
		"img/.DS_Store":             "x",
		"x.DS_Store.d/f":            "x",
		"_dev/build/build.yml":      "b",
		"x/a/f":                     "1",
		"x/a.b/f":                   "2",
		"kibana/dashboard/d-1.json": "{}",
		"empty/":                    "dir",
	})
	p, err := Load(writePackageDir(t, "1.0.0", files), Options{})
	if err != nil {
		t.Fatal(err)
	}
	pre := "/package/t/1.0.0/"
	want := []string{
		pre + ".hidden", pre + "LICENSE.txt", pre + "changelog.yml", pre + "manifest.yml",
		pre + "docs/README.md",
		pre + "_dev/build/build.yml", pre + "kibana/dashboard/d-1.json", pre + "x/a/f", pre + "x/a.b/f",
	}
	if !reflect.DeepEqual(p.Assets, want) {
		t.Errorf("assets:\n%q\nwant\n%q", p.Assets, want)
	}
}

func TestLoadPackageUnknownCategories(t *testing.T) {
	files := merge(minimalFiles(), map[string]string{
		"manifest.yml": minimalManifest + "categories: [custom, nonexistent, web, Custom]\n" +
			"policy_templates: [{name: a, title: b, description: c, categories: [compute]}]\n",
	})
	logger, logs := observedLogger()
	p, err := Load(writePackageDir(t, "1.0.0", files), Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Categories, []string{"custom", "web"}) {
		t.Errorf("categories %q", p.Categories)
	}
	if !reflect.DeepEqual(p.PolicyTemplates[0].Categories, []string{"compute"}) {
		t.Errorf("policy template categories %q", p.PolicyTemplates[0].Categories)
	}
	var got []string
	for _, e := range logs.All() {
		f := e.ContextMap()
		got = append(got, e.Level.String()+"|"+e.Message+"|"+f["package"].(string)+"|"+f["version"].(string)+"|"+f["category"].(string))
	}
	want := []string{
		"warn|package uses an unknown category, will be ignored|t|1.0.0|nonexistent",
		"warn|package uses an unknown category, will be ignored|t|1.0.0|Custom",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("logs %q", got)
	}
	// A nil logger is allowed.
	if _, err := Load(writePackageDir(t, "1.0.0", files), Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestLoadPackageSignature(t *testing.T) {
	dir := writePackageDir(t, "1.0.0", minimalFiles())
	p, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.SignaturePath != "" {
		t.Errorf("signature %q without a .sig file", p.SignaturePath)
	}
	if err := os.WriteFile(dir+".sig", []byte("sig"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err = Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.SignaturePath != "/epr/t/t-1.0.0.zip.sig" {
		t.Errorf("signature %q", p.SignaturePath)
	}
}

// TestLoadPackageFixtureAsZip loads the full fixture zipped, with and
// without directory entries: the document equals the directory one, apart
// from the signature (there is no .zip.sig).
func TestLoadPackageFixtureAsZip(t *testing.T) {
	const fixture = "testdata/loader/full/1.2.3"
	dirPkg, err := Load(fixture, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dirPkg.SignaturePath = ""
	want := compactJSON(t, dirPkg)

	for _, dirEntries := range []bool{true, false} {
		zipPath := filepath.Join(t.TempDir(), "anything.zip")
		writeZip(t, zipPath, zipEntriesOf(t, fixture, "root-dir-name", dirEntries))
		p, err := Load(zipPath, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !p.IsZip || p.BasePath != zipPath {
			t.Errorf("runtime %+v", p.Runtime)
		}
		if got := compactJSON(t, p); got != want {
			t.Errorf("dirEntries=%v:\ngot  %s\nwant %s", dirEntries, got, want)
		}
		if err := os.WriteFile(zipPath+".sig", nil, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err = Load(zipPath, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if p.SignaturePath != "/epr/full/full-1.2.3.zip.sig" {
			t.Errorf("zip signature %q", p.SignaturePath)
		}
	}
}

func TestLoadZipPackageRules(t *testing.T) {
	deep := merge(minimalFiles(), map[string]string{"kibana/dashboard/sub/x.json": "{}"})
	zz, aa := validDataStream("zz", dsManifest), validDataStream("aa", dsManifest)
	cases := []struct {
		name    string
		entries []testZipEntry
		check   func(t *testing.T, p *packages.Package, err error)
	}{
		{"assets and data streams follow entry order", []testZipEntry{
			{name: "r/manifest.yml", content: minimalManifest},
			{name: "r/data_stream/zz/manifest.yml", content: zz["data_stream/zz/manifest.yml"]},
			{name: "r/data_stream/zz/fields/base-fields.yml", content: zz["data_stream/zz/fields/base-fields.yml"]},
			{name: "r/data_stream/aa/manifest.yml", content: aa["data_stream/aa/manifest.yml"]},
			{name: "r/docs/README.md", content: "r"},
			{name: "r/data_stream/aa/fields/base-fields.yml", content: aa["data_stream/aa/fields/base-fields.yml"]},
		}, func(t *testing.T, p *packages.Package, err error) {
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, ds := range p.DataStreams {
				paths = append(paths, ds.Path)
			}
			if !reflect.DeepEqual(paths, []string{"zz", "aa"}) {
				t.Errorf("data streams %q", paths)
			}
			pre := "/package/t/1.0.0/"
			want := []string{pre + "manifest.yml", pre + "docs/README.md",
				pre + "data_stream/zz/manifest.yml", pre + "data_stream/aa/manifest.yml",
				pre + "data_stream/zz/fields/base-fields.yml", pre + "data_stream/aa/fields/base-fields.yml"}
			if !reflect.DeepEqual(p.Assets, want) {
				t.Errorf("assets %q", p.Assets)
			}
		}},
		{"without directory entries deep files can be missing", filesToZipEntries("r", deep),
			func(t *testing.T, p *packages.Package, err error) {
				if err != nil {
					t.Fatal(err)
				}
				// Depth 3 holds no file, so the walk stops there (Q3).
				want := []string{"/package/t/1.0.0/manifest.yml", "/package/t/1.0.0/docs/README.md"}
				if !reflect.DeepEqual(p.Assets, want) {
					t.Errorf("assets %q", p.Assets)
				}
			}},
		{"with directory entries deep files are listed", append(filesToZipEntries("r", deep),
			testZipEntry{name: "r/kibana/"}, testZipEntry{name: "r/kibana/dashboard/"}, testZipEntry{name: "r/kibana/dashboard/sub/"}),
			func(t *testing.T, p *packages.Package, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if n := len(p.Assets); n != 3 || p.Assets[2] != "/package/t/1.0.0/kibana/dashboard/sub/x.json" {
					t.Errorf("assets %q", p.Assets)
				}
			}},
		{"dash check only on explicit directory entries", filesToZipEntries("r", merge(minimalFiles(), map[string]string{"my-dir/x": "x"})),
			func(t *testing.T, p *packages.Package, err error) {
				if err != nil {
					t.Fatal(err)
				}
			}},
		{"dash in an explicit directory entry", append(filesToZipEntries("r", minimalFiles()), testZipEntry{name: "r/my-dir/"}),
			func(t *testing.T, p *packages.Package, err error) {
				if err == nil || !strings.HasSuffix(err.Error(), "directory name inside package t contains -: my-dir/") {
					t.Fatalf("error %v", err)
				}
			}},
		{"version directory check skipped", filesToZipEntries("9.9.9", minimalFiles()),
			func(t *testing.T, p *packages.Package, err error) {
				if err != nil {
					t.Fatal(err)
				}
			}},
		{"traversal entries are not assets", append(filesToZipEntries("r", minimalFiles()), testZipEntry{name: "r/../evil.txt", content: "x"}),
			func(t *testing.T, p *packages.Package, err error) {
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range p.Assets {
					if strings.Contains(a, "evil") {
						t.Errorf("asset %s", a)
					}
				}
			}},
		{"no root", filesToZipEntries(".", minimalFiles()),
			func(t *testing.T, p *packages.Package, err error) {
				if err == nil || !strings.HasPrefix(err.Error(), "failed to determine root directory in package (path: ") {
					t.Fatalf("error %v", err)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			zipPath := filepath.Join(t.TempDir(), "p.zip")
			writeZip(t, zipPath, c.entries)
			p, err := Load(zipPath, Options{})
			c.check(t, p, err)
		})
	}
}

func TestLoadPackageFromConcurrentGoroutines(t *testing.T) {
	// Loading is used by parallel indexer workers: no shared state.
	done := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			_, err := Load("testdata/loader/full/1.2.3", Options{})
			done <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
