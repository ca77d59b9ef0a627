package indexer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

func manifest(name, version, title string) string {
	return "format_version: 3.0.0\nname: " + name + "\ntitle: " + title + "\nversion: " + version +
		"\ndescription: d\nowner:\n  github: team\ncategories: [custom]\n"
}

// writePkg writes a minimal valid package directory at dir.
func writePkg(t *testing.T, dir, name, version, title string) {
	t.Helper()
	mustWrite(t, filepath.Join(dir, "manifest.yml"), manifest(name, version, title))
	mustWrite(t, filepath.Join(dir, "docs", "README.md"), "# readme\n")
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func observed() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zap.DebugLevel)
	return zap.New(core), logs
}

func all(t *testing.T, idx indexer.Indexer) packages.Packages {
	t.Helper()
	got, err := idx.Get(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func titles(pkgs packages.Packages) string {
	var out []string
	for _, p := range pkgs {
		title := ""
		if p.Title != nil {
			title = *p.Title
		}
		out = append(out, p.Name+"@"+p.Version+"="+title)
	}
	return strings.Join(out, " ")
}

func TestDirectoryWalkRules(t *testing.T) {
	root := t.TempDir()
	writePkg(t, filepath.Join(root, "good", "1.0.0"), "good", "1.0.0", "Good")
	writePkg(t, filepath.Join(root, "good", "1.1.0-rc1"), "good", "1.1.0-rc1", "Good rc")
	// Name on disk is not checked against the manifest.
	writePkg(t, filepath.Join(root, "ondisk", "2.0.0"), "other_name", "2.0.0", "Other")
	// Not strict semver: ignored with a warning.
	writePkg(t, filepath.Join(root, "good", "v1.2.0"), "good", "1.2.0", "v-prefixed")
	writePkg(t, filepath.Join(root, "good", "1.3"), "good", "1.3.0", "short")
	// Deeper than depth 2: never visited.
	writePkg(t, filepath.Join(root, "deep", "er", "1.0.0"), "deep", "1.0.0", "Deep")
	mustWrite(t, filepath.Join(root, "toplevel.txt"), "ignored silently")
	mustWrite(t, filepath.Join(root, "good", "README"), "ignored with a warning")

	logger, logs := observed()
	idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{root, filepath.Join(root, "missing")}, Workers: 3, Logger: logger})
	if err := idx.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := titles(all(t, idx))
	want := "good@1.0.0=Good good@1.1.0-rc1=Good rc other_name@2.0.0=Other"
	if got != want {
		t.Errorf("want %s\ngot  %s", want, got)
	}
	for msg, path := range map[string]string{
		"ignoring unexpected directory": filepath.Join(root, "good", "v1.2.0"),
		"ignoring unexpected file":      filepath.Join(root, "good", "README"),
	} {
		found := false
		for _, e := range logs.FilterMessage(msg).All() {
			if e.ContextMap()["file.path"] == path {
				found = true
			}
		}
		if !found {
			t.Errorf("no %q log for %s", msg, path)
		}
	}
	if n := logs.FilterMessage("ignoring unexpected directory").Len(); n != 3 {
		t.Errorf("want 3 unexpected-directory warnings (v1.2.0, 1.3, deep/er), got %d", n)
	}
}

func TestFirstPathWinsForDuplicates(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	writePkg(t, filepath.Join(first, "x", "1.0.0"), "x", "1.0.0", "first")
	writePkg(t, filepath.Join(second, "x", "1.0.0"), "x", "1.0.0", "second")
	writePkg(t, filepath.Join(second, "aaa", "2.0.0"), "x", "2.0.0", "aaa")
	writePkg(t, filepath.Join(second, "zzz", "2.0.0"), "x", "2.0.0", "zzz")

	idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{first, second}, Workers: 4})
	if err := idx.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := titles(all(t, idx)), "x@1.0.0=first x@2.0.0=aaa"; got != want {
		t.Errorf("want %s, got %s", want, got)
	}
}

func TestSignatureRequired(t *testing.T) {
	root := t.TempDir()
	writePkg(t, filepath.Join(root, "signed", "1.0.0"), "signed", "1.0.0", "S")
	mustWrite(t, filepath.Join(root, "signed", "1.0.0.sig"), "sig")
	writePkg(t, filepath.Join(root, "unsigned", "1.0.0"), "unsigned", "1.0.0", "U")

	idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{root}, RequireSignatures: true})
	err := idx.Init(context.Background())
	if err == nil || err.Error() != "package unsigned-1.0.0 is missing a required signature file" {
		t.Fatalf("want the missing signature error, got %v", err)
	}

	idx = indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{root}})
	if err := idx.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range all(t, idx) {
		want := ""
		if p.Name == "signed" {
			want = "/epr/signed/signed-1.0.0.zip.sig"
		}
		if p.SignaturePath != want {
			t.Errorf("%s signature_path: want %q, got %q", p.Name, want, p.SignaturePath)
		}
	}
}

func TestBrokenPackageFailsWithPath(t *testing.T) {
	root := t.TempDir()
	writePkg(t, filepath.Join(root, "ok", "1.0.0"), "ok", "1.0.0", "ok")
	broken := filepath.Join(root, "broken", "1.0.0")
	mustWrite(t, filepath.Join(broken, "manifest.yml"), "name: [unclosed\n")
	mustWrite(t, filepath.Join(broken, "docs", "README.md"), "x")

	idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{root}})
	err := idx.Init(context.Background())
	if err == nil {
		t.Fatal("want an error")
	}
	prefix := "loading package failed (path: " + broken + "): failed to create package from path " + broken + ": "
	if !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("error must name the package path:\nwant prefix %s\ngot %s", prefix, err)
	}
}

func TestRescanKeepsOldIndexOnError(t *testing.T) {
	root := t.TempDir()
	writePkg(t, filepath.Join(root, "ok", "1.0.0"), "ok", "1.0.0", "ok")
	idx := indexer.NewFileSystemIndexer(indexer.FSOptions{Paths: []string{root}})
	if err := idx.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(root, "bad", "1.0.0", "manifest.yml"), "version: 1.0.0\n")
	if err := idx.Rescan(context.Background()); err == nil {
		t.Fatal("rescan over a broken package must fail")
	}
	if got := titles(all(t, idx)); got != "ok@1.0.0=ok" {
		t.Errorf("old index must stay in service, got %s", got)
	}
	writePkg(t, filepath.Join(root, "bad", "1.0.0"), "bad", "1.0.0", "fixed")
	if err := idx.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := titles(all(t, idx)); got != "bad@1.0.0=fixed ok@1.0.0=ok" {
		t.Errorf("rescan must swap the new index in, got %s", got)
	}
}

func TestZipWalkRulesAndPrecedence(t *testing.T) {
	src, root := t.TempDir(), t.TempDir()
	writePkg(t, filepath.Join(src, "z", "1.0.0"), "z", "1.0.0", "from zip")
	writeZip(t, filepath.Join(src, "z", "1.0.0"), "whatever", filepath.Join(root, "deep", "er", "any-name.zip"))
	mustWrite(t, filepath.Join(root, "broken.zip"), "not a zip")
	writePkg(t, filepath.Join(root, "z", "1.0.0"), "z", "1.0.0", "from directory")

	logger, logs := observed()
	opts := indexer.FSOptions{Paths: []string{root}, Logger: logger}
	zips := indexer.NewZipFileSystemIndexer(opts)
	dirs := indexer.NewFileSystemIndexer(opts)
	combined := indexer.NewCombined(zips, dirs)
	if err := combined.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	if logs.FilterMessage("ignoring invalid zip file").Len() != 1 {
		t.Errorf("the broken zip must be reported once")
	}
	got := all(t, combined)
	if titles(got) != "z@1.0.0=from zip" {
		t.Errorf("zip must win over the directory with the same name and version, got %s", titles(got))
	}
	if !got[0].IsZip || !strings.HasSuffix(got[0].BasePath, "any-name.zip") {
		t.Errorf("zip package location: %+v", got[0].Runtime)
	}
}
