// Package corpusgen writes deterministic corpora of realistic packages for
// benchmarks and load tests (see dev/corpus for the command): N packages ×
// V versions as <out>/<name>/<version>/ directories (each with a
// <version>.sig), or as <out>/<name>-<version>.zip files.
//
// Every package has a manifest with categories from the catalogue, Kibana
// (and some Agent) conditions that move over the versions, policy templates
// with inputs, 1–4 data streams with fields, an ingest pipeline and a stream
// template, an icon, screenshots, a README, a changelog and Kibana assets.
// About 10% of versions are prereleases and a few are deprecated.
package corpusgen

import (
	"archive/zip"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

// Options say what to write. The same options always give the same corpus.
type Options struct {
	Out      string // created when missing
	Packages int
	Versions int // per package
	Seed     int64
	Zip      bool // .zip files instead of directories
}

// Revision names the generator's output: bump it whenever a seed gives
// different packages, so that corpora cached by benchmarks
// (dev/bench/benchcorpus) are written again instead of reused.
const Revision = 1

var categories = []string{
	"aws", "azure", "cloud", "containers", "crm", "custom", "datastore", "elastic_stack",
	"google_cloud", "infrastructure", "kubernetes", "message_queue", "monitoring", "network",
	"observability", "os_system", "productivity", "security", "siem", "threat_intel", "web",
	"iam", "edr_xdr", "firewall_security", "load_balancer", "network_security", "support",
}

var inputs = []string{"logfile", "filestream", "httpjson", "cel", "tcp", "udp", "aws-s3", "gcs", "http/metrics", "prometheus/metrics"}

type generator struct {
	r        *rand.Rand
	out      string
	zipped   bool
	nPkgs    int
	nVers    int
	versions int
}

// Write generates the corpus and returns the number of package versions
// written.
func Write(o Options) (int, error) {
	g := &generator{r: rand.New(rand.NewSource(o.Seed)), out: o.Out, zipped: o.Zip, nPkgs: o.Packages, nVers: o.Versions}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return 0, err
	}
	for i := 0; i < o.Packages; i++ {
		if err := g.pkg(i); err != nil {
			return g.versions, err
		}
	}
	return g.versions, nil
}
func (g *generator) pick(list []string) string { return list[g.r.Intn(len(list))] }

func (g *generator) pkg(i int) error {
	name := fmt.Sprintf("pkg%04d_%s", i, strings.ReplaceAll(g.pick(categories), "_", ""))
	cats := []string{g.pick(categories)}
	if g.r.Intn(2) == 0 {
		cats = append(cats, g.pick(categories))
	}
	nStreams := 1 + g.r.Intn(4)
	major, minor := g.r.Intn(2), 0
	deprecateAt := -1
	if g.r.Intn(20) == 0 {
		deprecateAt = g.nVers - 1
	}
	for v := 0; v < g.nVers; v++ {
		minor++
		if g.r.Intn(6) == 0 {
			major, minor = major+1, 0
		}
		version := fmt.Sprintf("%d.%d.%d", major, minor, g.r.Intn(3))
		if g.r.Intn(10) == 0 {
			version += fmt.Sprintf("-rc%d", 1+g.r.Intn(3))
		}
		files := g.files(name, version, v, cats, nStreams, v == deprecateAt)
		var err error
		if g.zipped {
			err = writeZip(filepath.Join(g.out, name+"-"+version+".zip"), name+"-"+version, files)
		} else {
			err = writeDir(filepath.Join(g.out, name, version), files)
		}
		if err != nil {
			return err
		}
		sig := filepath.Join(g.out, name, version+".sig")
		if g.zipped {
			sig = filepath.Join(g.out, name+"-"+version+".zip.sig")
		}
		if err := os.WriteFile(sig, []byte("-----BEGIN PGP SIGNATURE-----\ncorpus\n-----END PGP SIGNATURE-----\n"), 0o644); err != nil {
			return err
		}
		g.versions++
	}
	return nil
}

func (g *generator) files(name, version string, v int, cats []string, nStreams int, deprecated bool) map[string]string {
	title := strings.ToUpper(name[:1]) + name[1:]
	kibana := fmt.Sprintf("^8.%d.0 || ^9.0.0", v%19)
	var b strings.Builder
	fmt.Fprintf(&b, "format_version: 3.%d.0\nname: %s\ntitle: %q\nversion: %s\n", g.r.Intn(5), name, title, version)
	fmt.Fprintf(&b, "description: Collect logs and metrics from %s with Elastic Agent.\ntype: integration\n", title)
	fmt.Fprintf(&b, "categories:\n")
	for _, c := range cats {
		fmt.Fprintf(&b, "  - %s\n", c)
	}
	fmt.Fprintf(&b, "conditions:\n  kibana:\n    version: %q\n  elastic:\n    subscription: basic\n", kibana)
	if g.r.Intn(8) == 0 {
		fmt.Fprintf(&b, "  agent:\n    version: ^9.%d.0\n", g.r.Intn(3))
	}
	b.WriteString("icons:\n  - src: /img/logo.svg\n    title: logo\n    size: 32x32\n    type: image/svg+xml\n")
	b.WriteString("screenshots:\n  - src: /img/overview.png\n    title: Overview dashboard\n    size: 1200x800\n    type: image/png\n")
	b.WriteString("owner:\n  github: elastic/integrations\n  type: elastic\nsource:\n  license: Elastic-2.0\n")
	if deprecated {
		b.WriteString("deprecated:\n  since: " + version + "\n  description: Use the new integration.\n")
	}
	b.WriteString("policy_templates:\n  - name: default\n    title: Default\n    description: Collect everything.\n")
	fmt.Fprintf(&b, "    categories: [%s]\n", g.pick(categories))
	b.WriteString("    inputs:\n")
	files := map[string]string{}
	for s := 0; s < nStreams; s++ {
		ds := fmt.Sprintf("stream%d", s)
		input := g.pick(inputs)
		fmt.Fprintf(&b, "      - type: %s\n        title: Collect %s\n        description: Collect %s data.\n", input, ds, ds)
		files["data_stream/"+ds+"/manifest.yml"] = fmt.Sprintf("title: %s %s\ntype: logs\nstreams:\n  - input: %s\n    title: %s\n    description: Collect %s.\n    vars:\n      - name: paths\n        type: text\n        title: Paths\n        multi: true\n        required: true\n        show_user: true\n        default:\n          - /var/log/%s/*.log\n      - name: tags\n        type: text\n        multi: true\n        default: [forwarded]\n", title, ds, input, ds, ds, name)
		files["data_stream/"+ds+"/fields/base-fields.yml"] = "- name: data_stream.type\n  type: constant_keyword\n- name: data_stream.dataset\n  type: constant_keyword\n- name: data_stream.namespace\n  type: constant_keyword\n- name: '@timestamp'\n  type: date\n"
		files["data_stream/"+ds+"/fields/fields.yml"] = strings.Repeat("- name: "+ds+".field\n  type: keyword\n  description: A field.\n", 20)
		files["data_stream/"+ds+"/agent/stream/stream.yml.hbs"] = "paths:\n{{#each paths}}\n  - {{this}}\n{{/each}}\n"
		files["data_stream/"+ds+"/elasticsearch/ingest_pipeline/default.yml"] = "description: Pipeline\nprocessors:\n  - set:\n      field: event.kind\n      value: event\n"
		files["data_stream/"+ds+"/sample_event.json"] = `{"@timestamp":"2024-01-01T00:00:00Z","message":"hello"}` + "\n"
	}
	b.WriteString("vars:\n  - name: api_key\n    type: password\n    title: API key\n    required: false\n    show_user: true\n")
	files["manifest.yml"] = b.String()
	files["docs/README.md"] = "# " + title + "\n\n" + strings.Repeat("This integration collects data. ", 60) + "\n"
	files["changelog.yml"] = fmt.Sprintf("- version: %q\n  changes:\n    - description: Release.\n      type: enhancement\n      link: https://example.invalid/1\n", version)
	files["img/logo.svg"] = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32"/></svg>` + "\n"
	files["img/overview.png"] = string([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}) + strings.Repeat("x", 2000)
	files["kibana/dashboard/"+name+"-overview.json"] = `{"attributes":{"title":"Overview"}}` + "\n"
	files["LICENSE.txt"] = "Elastic License 2.0\n"
	return files
}

func writeDir(dir string, files map[string]string) error {
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeZip(path, root string, files map[string]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for rel, content := range files {
		w, err := zw.Create(root + "/" + rel)
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(content)); err != nil {
			return err
		}
	}
	return zw.Close()
}
