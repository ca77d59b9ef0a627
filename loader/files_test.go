package loader

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The file index taken at load answers for the package afterwards: names
// it does not hold are missing whatever is on disk, special files are
// never opened, and a zip replaced since the load is read as it now is.
func TestFilesIndexTakenAtLoad(t *testing.T) {
	readAll := func(files *Files, name string) (string, error) {
		f, err := files.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		return string(b), err
	}
	dir := writePackageDir(t, "1.0.0", merge(minimalFiles(), map[string]string{"img/a.txt": "a"}))
	if err := os.Symlink("a.txt", filepath.Join(dir, "img", "link.txt")); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(t.TempDir(), "t-1.0.0.zip")
	writeZip(t, zipPath, filesToZipEntries("t-1.0.0", merge(minimalFiles(), map[string]string{"img/a.txt": "old"})))

	load := func(path string) *Files {
		p, err := Load(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return FilesOf(p)
	}
	dirFiles, zipFiles := load(dir), load(zipPath)

	// Changes after the load.
	if err := syscall.Mkfifo(filepath.Join(dir, "img", "a.txt.new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "img", "late.txt"), []byte("late"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeZip(t, zipPath, filesToZipEntries("t-1.0.0", merge(minimalFiles(), map[string]string{"img/a.txt": "replaced"})))

	cases := []struct {
		name    string
		files   *Files
		file    string
		want    string
		missing bool
	}{
		{"regular file", dirFiles, "img/a.txt", "a", false},
		{"link to a file of the package", dirFiles, "img/link.txt", "a", false},
		{"file added after the load", dirFiles, "img/late.txt", "", true},
		{"FIFO added after the load", dirFiles, "img/a.txt.new", "", true},
		{"name outside the package", dirFiles, "../../x", "", true},
		{"zip replaced after the load", zipFiles, "img/a.txt", "replaced", false},
		{"zip entry that never existed", zipFiles, "img/b.txt", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := readAll(c.files, c.file)
			if c.missing {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("open %s: %q, %v; want not-exist", c.file, got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("open %s: %q, %v; want %q", c.file, got, err, c.want)
			}
		})
	}
}

// A file swapped for a FIFO between the load and the request is refused
// without blocking: the open does not wait for a writer, and the type is
// checked on the file opened.
func TestFilesOpenNeverBlocksOnFIFO(t *testing.T) {
	dir := writePackageDir(t, "1.0.0", merge(minimalFiles(), map[string]string{"img/a.txt": "a"}))
	p, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "img", "a.txt")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	// Without a writer, a blocking open would never return and the test
	// would time out.
	if _, err := FilesOf(p).Open("img/a.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("open of a FIFO: %v, want not-exist", err)
	}
	if err := FilesOf(p).Each(func(name string, _ fs.FileInfo, _ io.Reader) error {
		if name == "img/a.txt" {
			t.Errorf("Each gave the FIFO")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
