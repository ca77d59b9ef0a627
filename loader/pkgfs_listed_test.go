package loader

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eprgo/package-registry/packages"
)

// listedTree writes a package tree with the cases the listing must get
// right: several depths, links to files and folders inside the package,
// a link out of it, a dangling link, an empty folder and a folder whose
// name is not UTF-8.
func listedTree(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "1.0.0")
	writeTree(t, dir, map[string]string{
		"manifest.yml":                    "name: t\n",
		"docs/README.md":                  "# t\n",
		"img/a.svg":                       "<svg/>",
		"data_stream/s1/manifest.yml":     "title: s1\n",
		"data_stream/s1/fields/f.yml":     "- name: a\n",
		"data_stream/s2/manifest.yml":     "title: s2\n",
		"data_stream/s2/deep/er/x/y.json": "{}",
		"empty/":                          "dir",
		"bad\xffname/inside.txt":          "hidden",
	})
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"link-file.md":     "docs/README.md",
		"img/link-dir":     "../docs",
		"escape.txt":       outside,
		"dangling.txt":     "nothing-here",
		"data_stream/loop": "loop",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func openBoth(t *testing.T, dir string) (*dirFS, *listedFS) {
	t.Helper()
	plain, err := openDirFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	inner, err := openDirFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	listed := forLoading(inner, nil).(*listedFS)
	t.Cleanup(func() {
		plain.Close()
		listed.Close()
	})
	return plain, listed
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// The listing gives dirFS's answers: the same matches in the same order,
// the same file types, contents and errors.
func TestListedFSAnswersLikeTheDirectory(t *testing.T) {
	plain, listed := openBoth(t, listedTree(t))

	patterns := []string{"*", "*/*", "*/*/*", "*/*/*/*", "*/*/*/*/*", "*/*/*/*/*/*",
		"data_stream/*/manifest.yml", "data_stream/s1/fields/*", "img/*", "nothing/*", "[", "*.md"}
	for _, p := range patterns {
		want, wantErr := plain.Glob(p)
		got, gotErr := listed.Glob(p)
		if !slices.Equal(got, want) || errText(gotErr) != errText(wantErr) {
			t.Errorf("Glob(%q) = %q, %v; want %q, %v", p, got, gotErr, want, wantErr)
		}
	}

	all, err := plain.Glob("*/*/*/*/*/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, depth := range []string{"*", "*/*", "*/*/*", "*/*/*/*", "*/*/*/*/*"} {
		m, _ := plain.Glob(depth)
		all = append(all, m...)
	}
	names := append(all, "missing.txt", "/docs/README.md", "docs/../manifest.yml", "../manifest.yml",
		"docs/README.md/x", "img/link-dir/README.md", "nul\x00name", ".")
	for _, name := range names {
		wantInfo, wantErr := plain.Stat(name)
		gotInfo, gotErr := listed.Stat(name)
		if errText(gotErr) != errText(wantErr) {
			t.Errorf("Stat(%q) error %v, want %v", name, gotErr, wantErr)
			continue
		}
		if wantErr == nil && (gotInfo.IsDir() != wantInfo.IsDir() || gotInfo.Mode().Type() != wantInfo.Mode().Type()) {
			t.Errorf("Stat(%q) mode %v, want %v", name, gotInfo.Mode(), wantInfo.Mode())
		}

		wantData, wantErr := readAllOf(plain, name)
		gotData, gotErr := readAllOf(listed, name)
		if errText(gotErr) != errText(wantErr) || gotData != wantData {
			t.Errorf("Open(%q) = %q, %v; want %q, %v", name, gotData, gotErr, wantData, wantErr)
		}
	}
}

// readAllOf returns the content of a file with what its Stat says.
func readAllOf(fsys PackageFS, name string) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", err
	}
	if info.IsDir() {
		return "<dir>", nil
	}
	b, err := io.ReadAll(f)
	return fmt.Sprintf("%s|%d|%v|%v", b, info.Size(), info.Mode(), info.ModTime().UnixNano()), err
}

// The listing is taken once: later changes are not seen, which is why it
// is for the loader only.
func TestListedFSListsOnce(t *testing.T) {
	dir := listedTree(t)
	_, listed := openBoth(t, dir)
	before, err := listed.Glob("*")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	after, _ := listed.Glob("*")
	if !slices.Equal(before, after) {
		t.Errorf("listing changed: %q then %q", before, after)
	}
}

// A package folder removed before the listing fails every Glob with the
// walk's error, as dirFS.Glob would.
func TestListedFSRootGone(t *testing.T) {
	dir := listedTree(t)
	plain, listed := openBoth(t, dir)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	_, wantErr := plain.Glob("*")
	_, gotErr := listed.Glob("*")
	if wantErr == nil || errText(gotErr) != errText(wantErr) {
		t.Errorf("Glob error %v, want %v", gotErr, wantErr)
	}
	if _, err := listed.Stat("manifest.yml"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Stat after removal: %v", err)
	}
}

// The loader answers the same through the listing: the complete fixture
// loads to the same document with and without it.
func TestLoadWithAndWithoutListing(t *testing.T) {
	for _, dir := range []string{"testdata/loader/full/1.2.3", "testdata/loader/input/0.3.0"} {
		withListing, err := Load(dir, Options{Cache: NewCache()})
		if err != nil {
			t.Fatal(err)
		}
		fsys, err := openDirFS(dir)
		if err != nil {
			t.Fatal(err)
		}
		l := &packageLoad{fsys: fsys, location: dir, dataStreams: map[string]*packages.DataStream{}}
		plain, err := l.load()
		fsys.Close()
		if err != nil {
			t.Fatal(err)
		}
		a, _ := packages.MarshalIndentJSON(withListing)
		b, _ := packages.MarshalIndentJSON(plain)
		if string(a) != string(b) {
			t.Errorf("%s: documents differ:\n%s\nwithout the listing:\n%s", dir, a, b)
		}
	}
}

// Both ways of reading a directory give the same entries: os.Root (the
// portable one) and the platform's (file descriptors on Linux).
func TestDirHandlesAgree(t *testing.T) {
	dir := listedTree(t)
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fast, err := openRootHandle(r)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.close()
	var compare func(a, b dirHandle, p string)
	compare = func(a, b dirHandle, p string) {
		ea, errA := a.entries()
		eb, errB := b.entries()
		if errText(errA) != errText(errB) || !slices.Equal(ea, eb) {
			t.Fatalf("%s: %v %v, %v %v", p, ea, errA, eb, errB)
		}
		for _, e := range ea {
			switch {
			case e.Type.IsDir() && e.Name != "bad\xffname":
				sa, err := a.sub(e.Name)
				if err != nil {
					t.Fatal(err)
				}
				sb, err := b.sub(e.Name)
				if err != nil {
					t.Fatal(err)
				}
				compare(sa, sb, p+"/"+e.Name)
				sa.close()
				sb.close()
			case e.Type.IsRegular():
				for _, h := range []dirHandle{a, b} {
					f, err := h.open(e.Name)
					if err != nil {
						t.Fatalf("%s/%s: %v", p, e.Name, err)
					}
					f.Close()
				}
			case e.Type&os.ModeSymlink != 0:
				// Links are not followed by either.
				if _, err := a.open(e.Name); err == nil && e.Name == "escape.txt" {
					t.Errorf("%s/%s: opened a link out of the package", p, e.Name)
				}
			}
		}
	}
	compare(fast, rootHandle{r: r}, ".")
}

// A folder larger than one read of its entries is listed whole, in order.
func TestListedFSLargeFolder(t *testing.T) {
	files := map[string]string{"manifest.yml": "name: t\n"}
	for i := range 600 {
		files[fmt.Sprintf("kibana/dashboard/%s-%04d.json", strings.Repeat("long-name", 5), i)] = "{}"
	}
	dir := filepath.Join(t.TempDir(), "1.0.0")
	writeTree(t, dir, files)
	plain, listed := openBoth(t, dir)
	for _, p := range []string{"kibana/dashboard/*", "*/*/*"} {
		want, _ := plain.Glob(p)
		got, err := listed.Glob(p)
		if err != nil || !slices.Equal(got, want) || len(got) != 600 {
			t.Errorf("Glob(%q): %d names, want %d (%v)", p, len(got), len(want), err)
		}
	}
}
