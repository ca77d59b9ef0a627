package packages

import (
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// listedFS speeds up loading a directory package. The loader globs the
// package a dozen times (data streams, fields, pipelines, every asset
// level), stats every asset and opens a dozen files; on a directory each
// Glob is a walk of the tree, and each Stat or Open resolves the path one
// component at a time, which made system calls most of the start-up time.
// listedFS walks the tree once, keeping every directory it reads open, and
// answers Glob, Stat of plain files and directories, and Open of plain
// files from that: an Open is then a single openat in the file's directory.
// Everything else (links, which Stat and Open follow, unlisted names,
// failures) goes to the directory file system, so answers and errors are
// the same.
//
// It is for the loader only: its Stat answers carry the file type but no
// size or modification time, and the listing does not follow later
// changes.
type listedFS struct {
	*dirFS
	listed  bool
	rootErr error
	entries []listedEntry
	byPath  map[string]int
	// dirs are the directories read by the walk, by path ("." is the
	// package root, owned by dirFS); at most maxListedDirs stay open.
	dirs map[string]*os.Root
	// cache is the load's LoadCache; nil when not given.
	cache *LoadCache
}

// maxListedDirs bounds the directories kept open per package being loaded.
const maxListedDirs = 128

// listedEntry is one visited entry, in fs.WalkDir order.
type listedEntry struct {
	path  string
	mode  fs.FileMode // type bits only
	depth int         // path elements; 0 for the root
	// readErr is the error of listing a directory's content.
	readErr error
}

func (f *listedFS) loadCache() *LoadCache { return f.cache }

// list walks the package once, with the rules of dirFS.Glob: symbolic
// links are not followed and directories whose name is not UTF-8 are not
// entered. A directory that cannot be read is recorded, not fatal: Glob
// reports the error only to the patterns whose walk would have read it.
func (f *listedFS) list() {
	if f.listed {
		return
	}
	f.listed = true
	f.byPath = map[string]int{}
	f.dirs = map[string]*os.Root{".": f.root}
	info, err := fs.Stat(f.root.FS(), ".")
	if err != nil {
		f.rootErr = err
		return
	}
	f.add(".", fs.FileInfoToDirEntry(info))
	f.walk(f.root, ".")
}

// add records one entry and tells whether the walk enters it.
func (f *listedFS) add(p string, d fs.DirEntry) bool {
	depth := 0
	if p != "." {
		depth = strings.Count(p, "/") + 1
	}
	f.byPath[p] = len(f.entries)
	f.entries = append(f.entries, listedEntry{path: p, mode: d.Type(), depth: depth})
	return d.IsDir() && utf8.ValidString(p)
}

// walk lists the directory p, opened as r, and what is below it, in the
// order of fs.WalkDir. Any failure of the fast path hands the subtree to
// fs.WalkDir itself, so errors are those of dirFS.Glob.
func (f *listedFS) walk(r *os.Root, p string) {
	entries, err := readRootDir(r)
	if err != nil {
		f.slowWalk(p)
		return
	}
	for _, d := range entries {
		child := path.Join(p, d.Name())
		if !f.add(child, d) {
			continue
		}
		sub, err := r.OpenRoot(d.Name())
		if err != nil {
			f.slowWalk(child)
			continue
		}
		f.walk(sub, child)
		if len(f.dirs) < maxListedDirs {
			f.dirs[child] = sub
		} else {
			sub.Close()
		}
	}
}

func readRootDir(r *os.Root) ([]fs.DirEntry, error) {
	dir, err := r.Open(".")
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	entries, err := dir.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

// slowWalk lists the content of the already recorded directory p with
// fs.WalkDir, recording a read failure on the directory it concerns.
func (f *listedFS) slowWalk(p string) {
	_ = fs.WalkDir(f.root.FS(), p, func(q string, d fs.DirEntry, err error) error {
		if q == p && err == nil {
			return nil // recorded by the caller
		}
		if err != nil {
			if i, ok := f.byPath[q]; ok {
				f.entries[i].readErr = err
			}
			return fs.SkipDir
		}
		if !f.add(q, d) && d.IsDir() {
			return fs.SkipDir
		}
		return nil
	})
}

// Glob gives the answer of dirFS.Glob: the same matches in the same order,
// and the same first error.
func (f *listedFS) Glob(pattern string) ([]string, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, err
	}
	f.list()
	if f.rootErr != nil {
		return nil, f.rootErr
	}
	depth := globDepth(pattern)
	var matches []string
	for _, e := range f.entries {
		if e.depth > depth {
			// A wildcard never matches "/", so deeper entries cannot
			// match; dirFS.Glob does not even read their directories.
			continue
		}
		if ok, _ := path.Match(pattern, e.path); ok {
			matches = append(matches, e.path)
		}
		if e.readErr != nil && e.depth < depth {
			return nil, e.readErr
		}
	}
	return matches, nil
}

// entry returns the listed entry of a name, if it is a plain file or
// directory.
func (f *listedFS) entry(op, name string) (listedEntry, bool) {
	rel, err := cleanName(op, name)
	if err != nil {
		return listedEntry{}, false
	}
	f.list()
	i, ok := f.byPath[rel]
	if !ok || f.rootErr != nil {
		return listedEntry{}, false
	}
	e := f.entries[i]
	return e, e.mode&fs.ModeSymlink == 0
}

func (f *listedFS) Stat(name string) (fs.FileInfo, error) {
	if e, ok := f.entry("stat", name); ok {
		return listedInfo{name: path.Base(e.path), mode: e.mode}, nil
	}
	return f.dirFS.Stat(name)
}

func (f *listedFS) Open(name string) (fs.File, error) {
	if e, ok := f.entry("open", name); ok && e.mode.IsRegular() {
		if dir, ok := f.dirs[path.Dir(e.path)]; ok {
			if file, err := dir.Open(path.Base(e.path)); err == nil {
				return file, nil
			}
		}
	}
	return f.dirFS.Open(name)
}

func (f *listedFS) Close() error {
	for p, r := range f.dirs {
		if p != "." {
			r.Close()
		}
	}
	return f.dirFS.Close()
}

// listedInfo is the file information the loader needs: name and type.
type listedInfo struct {
	name string
	mode fs.FileMode
}

func (i listedInfo) Name() string       { return i.name }
func (i listedInfo) Size() int64        { return 0 }
func (i listedInfo) Mode() fs.FileMode  { return i.mode }
func (i listedInfo) ModTime() time.Time { return time.Time{} }
func (i listedInfo) IsDir() bool        { return i.mode.IsDir() }
func (i listedInfo) Sys() any           { return nil }
