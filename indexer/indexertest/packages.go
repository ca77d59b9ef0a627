// Package indexertest is the test suite every indexer passes: the same
// packages, the same filters, the same answers. Each indexer's tests turn
// the suite's package directories into their own source (directories as
// they are, zip files, a Package Storage index, a SQL database) and call Run.
package indexertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pkgSpec is one package version of the suite's fixture.
type pkgSpec struct {
	name, version string
	format        string // format_version; 3.0.0 when empty
	extra         string // manifest lines appended verbatim
	policy        string // policy_templates block, if any
}

// fixture mirrors the situations of the filter tests with packages of our
// own: prerelease and experimental versions, Kibana conditions, policy
// template categories, deprecation, input packages, capabilities,
// discovery and spec versions.
var fixture = []pkgSpec{
	{name: "alpha", version: "0.9.0", extra: "categories: [aws]"},
	{name: "alpha", version: "1.0.0", extra: "categories: [aws]"},
	{name: "alpha", version: "1.5.0", extra: "categories: [aws]\nrelease: experimental"},
	{name: "alpha", version: "2.0.0-beta1", extra: "categories: [aws]"},
	{name: "beta_pkg", version: "1.0.0", extra: "categories: [web]\nconditions:\n  kibana.version: ^7.0.0"},
	{name: "beta_pkg", version: "2.0.0", extra: "categories: [aws]\nconditions:\n  kibana:\n    version: ^8.0.0"},
	{name: "beta_pkg", version: "3.0.0-rc1", extra: "categories: [aws]\nconditions:\n  kibana:\n    version: ^8.0.0"},
	{name: "gamma", version: "1.0.0", extra: "categories: [custom, notacategory]", policy: `policy_templates:
  - name: a
    title: A
    description: template a
    categories: [web]
  - name: b
    title: B
    description: template b
    categories: [security, custom]
  - name: c
    title: C
    description: template c`},
	{name: "delta", version: "1.0.0", extra: "categories: [custom]\ndeprecated:\n  since: 1.0.0\n  description: old one"},
	{name: "delta", version: "2.0.0", extra: "categories: [custom]"},
	{name: "input_pkg", version: "1.0.0", extra: "type: input\ncategories: [custom]", policy: `policy_templates:
  - name: logs
    title: Logs
    description: Collect logs
    type: logs
    input: tcp`},
	{name: "caps", version: "1.0.0", extra: "categories: [monitoring]\nconditions:\n  elastic:\n    capabilities: [observability, uptime]"},
	{name: "disc", version: "1.0.0", extra: "type: content\ncategories: [web]\ndiscovery:\n  fields:\n    - name: process.pid\n  datasets:\n    - name: disc.events"},
	{name: "specs", version: "1.0.0", format: "3.0.5", extra: "categories: [aws]"},
	{name: "specs", version: "2.0.0", format: "3.1.0", extra: "categories: [aws]"},
	{name: "agentc", version: "1.0.0", extra: "categories: [custom]\nconditions:\n  agent:\n    version: ^9.2.0"},
}

// WriteDirectories writes the fixture as `<dir>/<name>/<version>/` package
// directories, each with a `<version>.sig` beside it, and returns dir.
func WriteDirectories(t testing.TB, dir string) string {
	t.Helper()
	for _, s := range fixture {
		root := filepath.Join(dir, s.name, s.version)
		format := s.format
		if format == "" {
			format = "3.0.0"
		}
		manifest := fmt.Sprintf("format_version: %s\nname: %s\ntitle: %s title\nversion: %s\ndescription: The %s package.\nowner:\n  github: team\n%s\n%s\n",
			format, s.name, strings.ToUpper(s.name[:1])+s.name[1:], s.version, s.name, s.extra, s.policy)
		writeFile(t, filepath.Join(root, "manifest.yml"), manifest)
		writeFile(t, filepath.Join(root, "docs", "README.md"), "# "+s.name+"\n")
		writeFile(t, filepath.Join(root, "img", "icon.svg"), "<svg/>\n")
		writeFile(t, root+".sig", "signature of "+s.name+"-"+s.version+"\n")
	}
	return dir
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
