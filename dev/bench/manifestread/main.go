// Command manifestread is the start-up baseline of the performance targets
// (docs/performance.md): the time a plain program takes to read every
// manifest.yml of a corpus once. It walks the package paths, and reads and
// parses (YAML into a generic map) every file named manifest.yml, package
// and data stream manifests alike, one after the other; in .zip packages,
// every entry named manifest.yml.
//
//	go run ./dev/bench/manifestread /tmp/corpus
//
// It prints one line: "manifests=N bytes=B seconds=S". -parse=false only
// reads the files; -workers N reads them with N goroutines.
package main

import (
	"archive/zip"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	pathpkg "path"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"gopkg.in/yaml.v3"
)

func main() {
	parse := flag.Bool("parse", true, "parse every manifest as YAML")
	workers := flag.Int("workers", 1, "goroutines reading manifests")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: manifestread [-parse=false] [-workers N] PATH...")
	}
	start := time.Now()
	n, size, err := readAll(flag.Args(), *parse, *workers)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("manifests=%d bytes=%d seconds=%.3f\n", n, size, time.Since(start).Seconds())
}

// readAll walks the roots and hands every manifest.yml to the workers.
func readAll(roots []string, parse bool, workers int) (int64, int64, error) {
	var count, size atomic.Int64
	var firstErr error
	var errOnce sync.Once
	paths := make(chan string, 64)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range paths {
				n, bytes, err := readOne(p, parse)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					continue
				}
				count.Add(int64(n))
				size.Add(int64(bytes))
			}
		}()
	}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (d.Name() == "manifest.yml" || filepath.Ext(p) == ".zip") {
				paths <- p
			}
			return nil
		})
		if err != nil {
			close(paths)
			wg.Wait()
			return 0, 0, err
		}
	}
	close(paths)
	wg.Wait()
	return count.Load(), size.Load(), firstErr
}

// readOne reads a manifest, or the manifests of a zip; it returns how many
// and their size.
func readOne(path string, parse bool) (int, int, error) {
	if filepath.Ext(path) != ".zip" {
		data, err := os.ReadFile(path)
		if err != nil {
			return 0, 0, err
		}
		return 1, len(data), parseManifest(path, data, parse)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return 0, 0, err
	}
	defer zr.Close()
	count, size := 0, 0
	for _, f := range zr.File {
		if pathpkg.Base(f.Name) != "manifest.yml" {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return 0, 0, err
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return 0, 0, err
		}
		if err := parseManifest(path+"!"+f.Name, data, parse); err != nil {
			return 0, 0, err
		}
		count++
		size += len(data)
	}
	return count, size, nil
}

func parseManifest(name string, data []byte, parse bool) error {
	if !parse {
		return nil
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
