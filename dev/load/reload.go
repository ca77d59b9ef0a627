package main

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// reloadResult is the memory around two watcher reloads: one that adds a
// package version, one that removes it. Sizes in KiB.
type reloadResult struct {
	steady, peak   int64
	added, removed time.Duration
}

// reloadVersion is the version the reload test adds; no corpus has it.
const reloadVersion = "999.0.0"

var versionLine = regexp.MustCompile(`(?m)^version:.*$`)

// measureReload starts a registry with the watcher on the corpus and an
// empty second package path, then copies one package of the corpus there
// as version 999.0.0 and removes it again, tracking the peak resident
// size (VmHWM, reset before) against the steady size before.
func measureReload(ctx context.Context, bin string, o options, work string, extra []string) (*reloadResult, error) {
	spare := filepath.Join(work, "reload-packages")
	// Emptied first: an interrupted run may have left its copy.
	if err := os.RemoveAll(spare); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(spare, 0o755); err != nil {
		return nil, err
	}
	// The spare path comes first: the watcher watches the paths in order,
	// and a corpus of tens of thousands of folders can use up the inotify
	// watches before it gets to the next path.
	config, err := writeConfig(work, spare, o.corpus)
	if err != nil {
		return nil, err
	}
	args := append([]string{"-package-paths-enable-watcher"}, extra...)
	reg, _, err := startRegistry(ctx, bin, config, filepath.Join(work, "registry-reload.log"), o.timeout, args...)
	if err != nil {
		return nil, err
	}
	defer reg.stop()
	name, err := copyPackage(o.corpus, spare)
	if err != nil {
		return nil, err
	}
	// The copy is only written once the registry runs, so the measure
	// starts from a steady registry; give the watcher's set-up a moment.
	if err := os.RemoveAll(filepath.Join(spare, name)); err != nil {
		return nil, err
	}
	time.Sleep(2 * time.Second)
	res := &reloadResult{}
	if res.steady, _, err = reg.memory(); err != nil {
		return nil, err
	}
	if err := reg.resetPeak(); err != nil {
		return nil, err
	}
	start := time.Now()
	if _, err := copyPackage(o.corpus, spare); err != nil {
		return nil, err
	}
	if err := waitVersion(ctx, reg, name, true, o.timeout); err != nil {
		return nil, err
	}
	res.added = time.Since(start)
	start = time.Now()
	if err := os.RemoveAll(filepath.Join(spare, name)); err != nil {
		return nil, err
	}
	_ = os.Remove(filepath.Join(spare, name+".sig"))
	if err := waitVersion(ctx, reg, packageName(name), false, o.timeout); err != nil {
		return nil, err
	}
	res.removed = time.Since(start)
	_, res.peak, err = reg.memory()
	return res, err
}

// waitVersion polls /search until the package shows version 999.0.0, or
// no longer does.
func waitVersion(ctx context.Context, reg *process, name string, present bool, timeout time.Duration) error {
	name = packageName(name)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var list []struct{ Version string }
		err := getJSON("http://"+reg.addr+"/search?all=true&prerelease=true&package="+name, &list)
		if err != nil {
			return err
		}
		found := false
		for _, p := range list {
			found = found || p.Version == reloadVersion
		}
		if found == present {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("the registry did not pick up the change of %s within %v", name, timeout)
}

// packageName turns what copyPackage returned ("<name>" or
// "<name>-999.0.0.zip") into the package name.
func packageName(copied string) string {
	return strings.TrimSuffix(copied, "-"+reloadVersion+".zip")
}

// copyPackage copies the first package of the corpus into dir as version
// 999.0.0: a directory package as <dir>/<name>/999.0.0/, a zip package as
// <dir>/<name>-999.0.0.zip. It returns the top-level name it created.
func copyPackage(corpus, dir string) (string, error) {
	var src string
	isZip := false
	err := filepath.WalkDir(corpus, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".zip") && !d.IsDir():
			src, isZip = p, true
			return fs.SkipAll
		case d.Name() == "manifest.yml" && strings.Count(filepath.ToSlash(mustRel(corpus, p)), "/") == 2:
			src = filepath.Dir(p)
			return fs.SkipAll
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if src == "" {
		return "", errors.New("no package found to copy for the reload test")
	}
	if isZip {
		return copyZip(src, dir)
	}
	name := filepath.Base(filepath.Dir(src))
	target := filepath.Join(dir, name, reloadVersion)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		out := filepath.Join(target, mustRel(src, p))
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if mustRel(src, p) == "manifest.yml" {
			data = versionLine.ReplaceAll(data, []byte("version: "+reloadVersion))
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		return "", err
	}
	if sig, err := os.ReadFile(src + ".sig"); err == nil {
		if err := os.WriteFile(target+".sig", sig, 0o644); err != nil {
			return "", err
		}
	}
	return name, nil
}

// copyZip rewrites a zip package with its manifest's version changed.
func copyZip(src, dir string) (string, error) {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return "", err
	}
	defer zr.Close()
	var name string
	for _, f := range zr.File {
		if parts := strings.Split(f.Name, "/"); len(parts) == 2 && parts[1] == "manifest.yml" {
			data, err := readZipFile(f)
			if err != nil {
				return "", err
			}
			m := regexp.MustCompile(`(?m)^name:\s*(\S+)`).FindSubmatch(data)
			if m == nil {
				return "", fmt.Errorf("%s: no name in the manifest", src)
			}
			name = string(m[1])
		}
	}
	if name == "" {
		return "", fmt.Errorf("%s: no manifest", src)
	}
	base := name + "-" + reloadVersion
	out, err := os.Create(filepath.Join(dir, base+".zip"))
	if err != nil {
		return "", err
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, f := range zr.File {
		_, rest, _ := strings.Cut(f.Name, "/")
		w, err := zw.Create(base + "/" + rest)
		if err != nil {
			return "", err
		}
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		data, err := readZipFile(f)
		if err != nil {
			return "", err
		}
		if rest == "manifest.yml" {
			data = versionLine.ReplaceAll(data, []byte("version: "+reloadVersion))
		}
		if _, err := w.Write(data); err != nil {
			return "", err
		}
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	if sig, err := os.ReadFile(src + ".sig"); err == nil {
		if err := os.WriteFile(filepath.Join(dir, base+".zip.sig"), sig, 0o644); err != nil {
			return "", err
		}
	}
	return base + ".zip", nil
}

func mustRel(base, p string) string {
	rel, err := filepath.Rel(base, p)
	if err != nil {
		return p
	}
	return rel
}

// readZipFile reads one entry of a zip archive whole.
func readZipFile(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
