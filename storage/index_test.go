package storage

import (
	"encoding/json"
	"strings"
	"testing"
)

// Decoded packages are served as the index has them:
// re-encoding every entry gives back its document, key order included.
func TestStreamIndexReservesDocumentsAsIs(t *testing.T) {
	raw := testdata(t, "index-a.json")
	var doc struct {
		Packages []indexEntry `json:"packages"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	pkgs, err := readIndex(strings.NewReader(string(raw)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != len(doc.Packages) || len(pkgs) != 11 {
		t.Fatalf("got %d packages, want %d", len(pkgs), len(doc.Packages))
	}
	for i, p := range pkgs {
		want := compactJSON(t, doc.Packages[i].PackageManifest)
		got := compactJSON(t, []byte(encode(t, p)))
		if got != want {
			t.Errorf("package %d (%s) re-encodes differently:\n got %s\nwant %s", i, p.Name, got, want)
		}
		if p.SemVer == nil {
			t.Errorf("package %d: runtime not initialised", i)
		}
	}
	tool := find(pkgs, "beta_tool", "0.1.0")
	if !strings.Contains(encode(t, tool), `"title": "Beta <Tool> & co"`) {
		t.Errorf("HTML characters must stay literal: %s", encode(t, tool))
	}
}

func TestStreamIndexRuntime(t *testing.T) {
	pkgs, err := readIndex(strings.NewReader(string(testdata(t, "index-a.json"))), nil)
	if err != nil {
		t.Fatal(err)
	}
	apache := find(pkgs, "apache", "1.1.0")
	if apache.KibanaConstraint == nil || apache.SpecMajorMinor.String() != "3.0.0" {
		t.Errorf("apache 1.1.0 runtime: %+v", apache.Runtime)
	}
	tool := find(pkgs, "beta_tool", "0.1.0")
	if tool.AgentConstraint == nil || tool.KibanaConstraint != nil {
		t.Errorf("beta_tool runtime: %+v", tool.Runtime)
	}
	// A "categories" key in the document is what makes a policy template
	// count as having categories.
	multi := find(pkgs, "multi", "1.0.0")
	if !multi.PolicyTemplates[0].HasCategories {
		t.Error("multi 1.0.0 template with categories: HasCategories false")
	}
	if find(pkgs, "solo", "1.0.0").PolicyTemplates[0].HasCategories {
		t.Error("solo template without categories: HasCategories true")
	}
}

func TestStreamIndexErrors(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"bad version", string(testdata(t, "index-bad-version.json")), "invalid package version: invalid semantic version"},
		{"bad format version", string(testdata(t, "index-bad-format.json")), "invalid format spec version 'abc': invalid semantic version"},
		{"bad kibana range", string(testdata(t, "index-bad-kibana.json")), "invalid Kibana versions range not a range"},
		{"truncated", string(testdata(t, "index-truncated.json")), "unexpected EOF"},
		{"not an object", `[]`, "unexpected token in index"},
		{"packages not an array", `{"packages": {}}`, "packages must be an array"},
		{"entry without manifest", `{"packages": [{"other": 1}]}`, "index entry without package_manifest"},
		{"manifest not an object", `{"packages": [{"package_manifest": 3}]}`, "can't decode package"},
		{"empty document", ``, "can't read index: EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readIndex(strings.NewReader(c.doc), nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestStreamIndexAcceptsEmptyAndNullLists(t *testing.T) {
	for _, doc := range []string{`{"packages": []}`, `{"packages": null}`, `{}`, `{"x": {"packages": [1]}}`} {
		pkgs, err := readIndex(strings.NewReader(doc), nil)
		if err != nil || len(pkgs) != 0 {
			t.Errorf("%s: got %d packages, error %v", doc, len(pkgs), err)
		}
	}
}

// The callback's error stops the stream: the SQL indexer relies on it to
// abort a load when a batch cannot be written.
func TestStreamIndexStopsOnCallbackError(t *testing.T) {
	calls := 0
	err := streamIndex(strings.NewReader(string(testdata(t, "index-a.json"))), nil, func(decodedEntry) error {
		calls++
		if calls == 2 {
			return errStop
		}
		return nil
	})
	if err != errStop || calls != 2 {
		t.Fatalf("got %v after %d calls", err, calls)
	}
}

var errStop = stopError{}

type stopError struct{}

func (stopError) Error() string { return "stop" }
