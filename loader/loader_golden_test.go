package loader

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/loader/golden")

// TestLoadPackageGolden loads the fixture packages and compares their
// /package document with reviewed golden files.
func TestLoadPackageGolden(t *testing.T) {
	cases := []struct {
		dir, golden string
	}{
		{"testdata/loader/full/1.2.3", "full-1.2.3.json"},
		{"testdata/loader/input/0.3.0", "input-0.3.0.json"},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			p, err := Load(c.dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := packages.MarshalIndentJSON(p)
			if err != nil {
				t.Fatal(err)
			}
			assertGolden(t, filepath.Join("testdata/loader/golden", c.golden), got)
		})
	}
}

func assertGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", file, got, want)
	}
}

// TestLoadPackageExpectations checks, independently of the golden files
// (which -update rewrites from whatever the loader produces), values of the
// fixture packages worked out by hand from their manifests and files: each
// derived or coerced field, so that a wrong -update cannot pass unseen.
func TestLoadPackageExpectations(t *testing.T) {
	type expectation struct {
		what string
		got  func(p *packages.Package) any
		want any
	}
	cases := []struct {
		dir    string
		expect []expectation
	}{
		{"testdata/loader/full/1.2.3", []expectation{
			{"name and version", func(p *packages.Package) any { return p.Name + " " + p.Version }, "full 1.2.3"},
			// A folded scalar keeps its final line break.
			{"description", func(p *packages.Package) any { return p.Description }, "Folded description on two lines.\n"},
			// Without a license, the subscription is the license.
			{"license", func(p *packages.Package) any { return p.License }, "gold"},
			// 1.2.3 is neither a prerelease nor a 0.x version.
			{"release", func(p *packages.Package) any { return p.Release }, "ga"},
			{"download", func(p *packages.Package) any { return p.Download }, "/epr/full/full-1.2.3.zip"},
			{"path", func(p *packages.Package) any { return p.Path }, "/package/full/1.2.3"},
			{"readme", func(p *packages.Package) any { return p.Readme }, "/package/full/1.2.3/docs/README.md"},
			// full/1.2.3.sig exists beside the package.
			{"signature", func(p *packages.Package) any { return p.SignaturePath }, "/epr/full/full-1.2.3.zip.sig"},
			// "nonexistent" and "Custom" are not in the catalogue.
			{"categories", func(p *packages.Package) any { return p.Categories }, []string{"custom", "web"}},
			// owner.github (dotted) and the owner mapping merge.
			{"owner", func(p *packages.Package) any { return *p.Owner }, packages.Owner{Type: "community", Github: "someone"}},
			{"icon path", func(p *packages.Package) any { return p.Icons[0].Path }, "/package/full/1.2.3/img/icon.svg"},
			// The title 123 is an integer in YAML.
			{"screenshot title", func(p *packages.Package) any { return p.Screenshots[0].Title }, "123"},
			{"kibana condition", func(p *packages.Package) any { return p.Conditions.Kibana.Version }, "^8.10.0 || ^9.0.0"},
			{"templates and multiple", func(p *packages.Package) any {
				var out []string
				for _, pt := range p.PolicyTemplates {
					out = append(out, fmt.Sprintf("%s:%v", pt.Name, *pt.Multiple))
				}
				return out
			}, []string{"logs:true", "metrics:false"}},
			// yes, on and "true" are all true.
			{"var flags", func(p *packages.Package) any {
				v := p.PolicyTemplates[0].Inputs[0].Vars[0]
				return []bool{v.Multi, v.Required, v.ShowUser}
			}, []bool{true, true, true}},
			// An empty string is a default; it is kept.
			{"package var default", func(p *packages.Package) any { return p.Vars[0].Default.V }, ""},
			{"data streams", func(p *packages.Package) any {
				var out []string
				for _, ds := range p.DataStreams {
					out = append(out, fmt.Sprintf("%s %s %s", ds.Dataset, ds.Release, ds.IngestPipeline))
				}
				return out
			}, []string{
				// Default dataset <package>.<dir>, the package's release,
				// and default.yml found as the default pipeline.
				"full.access ga default",
				"full.error_log beta main",
			}},
			// A mapped input replaces the manifest's ingestion_method;
			// streams are enabled with stream.yml.hbs unless set.
			{"streams", func(p *packages.Package) any {
				var out []string
				for _, s := range p.DataStreams[0].Streams {
					out = append(out, fmt.Sprintf("%s %s %v %s", s.Input, s.IngestionMethod, *s.Enabled, s.TemplatePath))
				}
				return out
			}, []string{"logfile File true stream.yml.hbs", "weird Custom2 false weird.yml.hbs"}},
		}},
		{"testdata/loader/input/0.3.0", []expectation{
			// A ">-" folded scalar joins the lines and drops the break.
			{"description", func(p *packages.Package) any { return p.Description }, "An input package for the loader tests."},
			{"type", func(p *packages.Package) any { return p.Type }, "input"},
			// 0.x versions are beta.
			{"release", func(p *packages.Package) any { return p.Release }, "beta"},
			// 8.10 is a float in YAML, printed the way Go prints it.
			{"kibana condition", func(p *packages.Package) any { return p.Conditions.Kibana.Version }, "8.1"},
			{"no signature", func(p *packages.Package) any { return p.SignaturePath }, ""},
			// Input packages take the table's method, even none.
			{"ingestion methods", func(p *packages.Package) any {
				var out []string
				for _, pt := range p.PolicyTemplates {
					out = append(out, pt.Name+"="+pt.IngestionMethod)
				}
				return out
			}, []string{"sql_query=Database", "unmapped="}},
			{"no data streams", func(p *packages.Package) any { return len(p.DataStreams) }, 0},
		}},
	}
	for _, c := range cases {
		p, err := Load(c.dir, Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.dir, err)
		}
		for _, e := range c.expect {
			if got := e.got(p); !reflect.DeepEqual(got, e.want) {
				t.Errorf("%s: %s is %#v, want %#v", c.dir, e.what, got, e.want)
			}
		}
	}
}
