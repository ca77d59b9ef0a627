// Command samples builds the bundled sample packages: every
// testdata/sample-src/<name>/<version>/ directory becomes
// testdata/local-storage/<name>-<version>.zip with a single top-level
// directory <name>-<version>/ (the layout Kibana Fleet expects). Entries are
// written in lexical order with a fixed time, so the zips are reproducible
// and their signatures (dev/build-samples.sh) stay valid.
package main

import (
	"archive/zip"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"time"
)

var fixedTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	src := flag.String("src", "testdata/sample-src", "folder of <name>/<version>/ package directories")
	out := flag.String("out", "testdata/local-storage", "folder for the zip files")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	versions, err := filepath.Glob(filepath.Join(*src, "*", "*"))
	if err != nil {
		log.Fatal(err)
	}
	for _, dir := range versions {
		name, version := filepath.Base(filepath.Dir(dir)), filepath.Base(dir)
		target := filepath.Join(*out, fmt.Sprintf("%s-%s.zip", name, version))
		if err := writeZip(dir, fmt.Sprintf("%s-%s", name, version), target); err != nil {
			log.Fatalf("%s: %v", dir, err)
		}
		fmt.Println(target)
	}
}

func writeZip(dir, prefix, target string) error {
	f, err := os.Create(target)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		name := prefix
		if rel != "." {
			name += "/" + filepath.ToSlash(rel)
		}
		if d.IsDir() {
			_, err := zw.CreateHeader(&zip.FileHeader{Name: name + "/", Modified: fixedTime})
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: fixedTime})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}
