package loader

import (
	"archive/zip"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// minimalManifest is a valid package without data streams; tests change it
// with replacements or extra files.
const minimalManifest = `format_version: 3.0.0
name: t
title: Test
version: 1.0.0
description: A test package.
owner.github: someone
`

// minimalFiles are the files of the smallest valid package.
func minimalFiles() map[string]string {
	return map[string]string{
		"manifest.yml":   minimalManifest,
		"docs/README.md": "# t\n",
	}
}

// validDataStream returns the files of a valid data stream <dir> that
// passes every validation.
func validDataStream(dir, manifest string) map[string]string {
	return map[string]string{
		"data_stream/" + dir + "/manifest.yml": manifest,
		"data_stream/" + dir + "/fields/base-fields.yml": `- name: data_stream.type
  type: constant_keyword
- name: data_stream.dataset
  type: constant_keyword
- name: data_stream.namespace
  type: constant_keyword
- name: '@timestamp'
  type: date
`,
	}
}

// merge returns base with the entries of the others added (later win). An
// empty value removes the file.
func merge(base map[string]string, others ...map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for _, o := range others {
		for k, v := range o {
			if v == "" {
				delete(out, k)
				continue
			}
			out[k] = v
		}
	}
	return out
}

// writeTree writes files (slash paths relative to root). A name with a
// trailing "/" (and any non-empty value, e.g. "dir") creates a directory.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writePackageDir writes a directory package at <tmp>/<name>/<version> and
// returns that path.
func writePackageDir(t *testing.T, version string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "t", version)
	writeTree(t, dir, files)
	return dir
}

// zipEntry describes one entry written by writeZip: a name ending in "/"
// is a directory entry. Stored selects the Store method.
type testZipEntry struct {
	name    string
	content string
	stored  bool
}

var testZipTime = time.Date(2024, 3, 4, 5, 6, 8, 0, time.UTC)

func writeZip(t *testing.T, zipPath string, entries []testZipEntry) {
	t.Helper()
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: testZipTime}
		if e.stored || strings.HasSuffix(e.name, "/") {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// zipEntriesOf lists the files of a directory in lexical walk order under
// the zip root directory root, with directory entries when dirEntries is
// set.
func zipEntriesOf(t *testing.T, dir, root string, dirEntries bool) []testZipEntry {
	t.Helper()
	var entries []testZipEntry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		name := root
		if rel != "." {
			name += "/" + filepath.ToSlash(rel)
		}
		if d.IsDir() {
			if dirEntries {
				entries = append(entries, testZipEntry{name: name + "/"})
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		entries = append(entries, testZipEntry{name: name, content: string(data)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// filesToZipEntries turns a file map into zip entries under root, sorted by
// name, without directory entries.
func filesToZipEntries(root string, files map[string]string) []testZipEntry {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	entries := make([]testZipEntry, 0, len(names))
	for _, n := range names {
		entries = append(entries, testZipEntry{name: root + "/" + n, content: files[n]})
	}
	return entries
}
