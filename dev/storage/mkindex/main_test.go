package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func doc(name, version, title string) entry {
	return entry{
		key: name + "-" + version,
		doc: []byte(`{"name":"` + name + `","title":"` + title + `","version":"` + version + `"}`),
	}
}

func TestDeltaDocument(t *testing.T) {
	prev := []entry{doc("a", "1.0.0", "A"), doc("b", "1.0.0", "B"), doc("c", "1.0.0", "C")}
	cur := []entry{doc("a", "1.0.0", "A"), doc("b", "1.0.0", "B2"), doc("d", "2.0.0", "D")}
	out, err := deltaDocument(prev, cur)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Added   []wrapped    `json:"added"`
		Updated []wrapped    `json:"updated"`
		Removed []removedKey `json:"removed"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Added) != 1 || !strings.Contains(string(got.Added[0].PackageManifest), `"d"`) {
		t.Errorf("added %s", out)
	}
	if len(got.Updated) != 1 || !strings.Contains(string(got.Updated[0].PackageManifest), `"B2"`) {
		t.Errorf("updated %s", out)
	}
	if len(got.Removed) != 1 || got.Removed[0] != (removedKey{"c", "1.0.0"}) {
		t.Errorf("removed %s", out)
	}
}

func TestIndexDocumentKeepsHTMLCharacters(t *testing.T) {
	out, err := indexDocument([]entry{doc("a", "1.0.0", "<A & B>")})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"title": "<A & B>"`)) {
		t.Errorf("got %s", out)
	}
}

// The tool builds an index from a package directory: one entry per
// version directory, first copy wins, documents as the registry serves
// them.
func TestRunBuildsIndex(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"1.0.0", "1.1.0", "not-a-version"} {
		writePackage(t, filepath.Join(root, "demo", v), v)
	}
	second := t.TempDir()
	writePackage(t, filepath.Join(second, "demo", "1.0.0"), "1.0.0")
	out := filepath.Join(t.TempDir(), "index.json")
	var stderr bytes.Buffer
	if err := run([]string{"-o", out, root, second}, &bytes.Buffer{}, &stderr); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var index struct {
		Packages []struct {
			PackageManifest struct {
				Name, Version, Path string
			} `json:"package_manifest"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range index.Packages {
		got = append(got, p.PackageManifest.Name+"@"+p.PackageManifest.Version+" "+p.PackageManifest.Path)
	}
	want := "demo@1.0.0 /package/demo/1.0.0,demo@1.1.0 /package/demo/1.1.0"
	if strings.Join(got, ",") != want {
		t.Errorf("got %v", got)
	}

	if err := run([]string{"-delta", root}, &bytes.Buffer{}, &stderr); err == nil {
		t.Error("-delta without -previous accepted")
	}
}

func writePackage(t *testing.T, dir, version string) {
	t.Helper()
	files := map[string]string{
		"manifest.yml": "format_version: 3.0.0\nname: demo\ntitle: Demo\nversion: " + version +
			"\ndescription: A demo package.\ntype: integration\nowner:\n  github: elastic/demo\n  type: elastic\n" +
			"conditions:\n  kibana:\n    version: ^8.0.0\n",
		"docs/README.md": "# Demo\n",
		"LICENSE.txt":    "Apache\n",
		"changelog.yml":  "- version: " + version + "\n  changes:\n    - description: Initial\n      type: enhancement\n      link: https://example.com/1\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
