package loader

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
	byDepth [][]int // entry indices per number of path elements
	failed  []int   // entries whose directory could not be read
	// dirs are the directories read by the walk, by path; at most
	// maxListedDirs stay open, to open the files in them.
	dirs map[string]dirHandle
	// cache is the load's Cache; nil when not given.
	cache *Cache
	// skipped are the entries that are not package content (special
	// files, names refused by nameProblem), for the load's warnings.
	skipped []skippedEntry
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
	// hidden says why the entry is not package content: Glob leaves it
	// out, Stat and Open answer notContentError without touching it.
	hidden string
}

func (f *listedFS) loadCache() *Cache { return f.cache }

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
	f.dirs = map[string]dirHandle{}
	info, err := fs.Stat(f.root.FS(), ".")
	if err != nil {
		f.rootErr = err
		return
	}
	f.add(".", fs.FileInfoToDirEntry(info).Type(), true)
	if root, err := openRootHandle(f.root); err == nil {
		f.walk(root, ".")
	} else {
		f.slowWalk(".")
	}
	f.index()
}

// add records one entry and tells whether the walk enters it. Entries
// that are not package content are recorded hidden and never entered, so
// the walk stops at the depth limit. Names that are not UTF-8 stay
// visible: collectAssets names them in its own warning.
func (f *listedFS) add(p string, typ fs.FileMode, isDir bool) bool {
	depth := 0
	var hidden string
	if p != "." {
		depth = strings.Count(p, "/") + 1
		if hidden = nameProblem(p); hidden == nameNotUTF8 {
			hidden = ""
		}
		if hidden == "" && typ&fs.ModeSymlink == 0 {
			// Links are resolved by Stat and Open, through os.Root.
			hidden = typeProblem(typ)
		}
		if hidden != "" {
			f.skipped = append(f.skipped, skippedEntry{name: p, reason: hidden})
		}
	}
	f.byPath[p] = len(f.entries)
	f.entries = append(f.entries, listedEntry{path: p, mode: typ, depth: depth, hidden: hidden})
	return isDir && hidden == "" && utf8.ValidString(p)
}

// walk lists the directory p, opened as h, and what is below it, in the
// order of fs.WalkDir; h is kept open or closed. Any failure of the fast
// path hands the subtree to fs.WalkDir itself, so errors are those of
// dirFS.Glob.
func (f *listedFS) walk(h dirHandle, p string) {
	// Kept in walk order, so that past the bound the deepest folders are
	// the ones closed.
	if len(f.dirs) < maxListedDirs {
		f.dirs[p] = h
	} else {
		defer h.close()
	}
	entries, err := h.entries()
	if err != nil {
		f.slowWalk(p)
		return
	}
	for _, d := range entries {
		child := path.Join(p, d.Name)
		if !f.add(child, d.Type, d.Type.IsDir()) {
			continue
		}
		sub, err := h.sub(d.Name)
		if err != nil {
			f.slowWalk(child)
			continue
		}
		f.walk(sub, child)
	}
}

// Dirent is a directory entry: its name and file type.
type Dirent struct {
	Name string
	Type fs.FileMode
}

// dirHandle is an open directory of the package, the way a platform can
// read it fastest (os.Root everywhere, file descriptors on Linux).
type dirHandle interface {
	// entries lists the directory, sorted by name.
	entries() ([]Dirent, error)
	// sub opens a directory in it, without following links.
	sub(name string) (dirHandle, error)
	// open opens a regular file in it, without following links.
	open(name string) (fs.File, error)
	close()
}

// rootHandle reads directories through os.Root: portable, but os.Root
// stats every entry it lists.
type rootHandle struct {
	r     *os.Root
	owned bool // closed with the handle (not the package root)
}

func (h rootHandle) entries() ([]Dirent, error) {
	dir, err := h.r.Open(".")
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	list, err := dir.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	out := make([]Dirent, len(list))
	for i, d := range list {
		out[i] = Dirent{Name: d.Name(), Type: d.Type()}
	}
	sortDirents(out)
	return out, nil
}

func (h rootHandle) sub(name string) (dirHandle, error) {
	r, err := h.r.OpenRoot(name)
	if err != nil {
		return nil, err
	}
	return rootHandle{r: r, owned: true}, nil
}

func (h rootHandle) open(name string) (fs.File, error) { return openFile(h.r, name) }

func (h rootHandle) close() {
	if h.owned {
		h.r.Close()
	}
}

func sortDirents(list []Dirent) {
	slices.SortFunc(list, func(a, b Dirent) int { return strings.Compare(a.Name, b.Name) })
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
		if !f.add(q, d.Type(), d.IsDir()) && d.IsDir() {
			return fs.SkipDir
		}
		return nil
	})
}

// Glob gives the answer of dirFS.Glob: the same matches in the same order,
// and the same first error. A wildcard never matches "/", so only entries
// of the pattern's depth can match; the walk of dirFS.Glob reads every
// directory above that depth, so their errors count.
func (f *listedFS) Glob(pattern string) ([]string, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, err
	}
	f.list()
	if f.rootErr != nil {
		return nil, f.rootErr
	}
	depth := globDepth(pattern)
	for _, i := range f.failed {
		if e := f.entries[i]; e.depth < depth {
			return nil, e.readErr
		}
	}
	var matches []string
	if depth < len(f.byDepth) {
		for _, i := range f.byDepth[depth] {
			if p := f.entries[i].path; f.entries[i].hidden == "" && matchPath(pattern, p) {
				matches = append(matches, p)
			}
		}
	}
	return matches, nil
}

func matchPath(pattern, name string) bool {
	ok, _ := path.Match(pattern, name)
	return ok
}

// index groups the entries by depth and lists the unreadable directories,
// both in walk order.
func (f *listedFS) index() {
	for i, e := range f.entries {
		// The root is named ".", one element, which "*" matches.
		d := max(e.depth, 1)
		for len(f.byDepth) <= d {
			f.byDepth = append(f.byDepth, nil)
		}
		f.byDepth[d] = append(f.byDepth[d], i)
		if e.readErr != nil {
			f.failed = append(f.failed, i)
		}
	}
}

// entry returns the listed entry of a name, if it is a plain file or
// directory, or the error for a listed entry that is not package content.
func (f *listedFS) entry(op, name string) (listedEntry, bool, error) {
	rel, err := cleanName(op, name)
	if err != nil {
		return listedEntry{}, false, nil
	}
	f.list()
	i, ok := f.byPath[rel]
	if !ok || f.rootErr != nil {
		return listedEntry{}, false, nil
	}
	e := f.entries[i]
	if e.hidden != "" {
		return e, false, notContent(op, rel, e.hidden)
	}
	return e, e.mode&fs.ModeSymlink == 0, nil
}

func (f *listedFS) Stat(name string) (fs.FileInfo, error) {
	if e, ok, err := f.entry("stat", name); err != nil {
		return nil, err
	} else if ok {
		return listedInfo{name: path.Base(e.path), mode: e.mode}, nil
	}
	if rel, ok := f.absent("stat", name); ok {
		return nil, notFound("stat", rel)
	}
	return f.dirFS.Stat(name)
}

func (f *listedFS) Open(name string) (fs.File, error) {
	e, ok, err := f.entry("open", name)
	if err != nil {
		return nil, err
	}
	if ok && e.mode.IsRegular() {
		if dir, ok := f.dirs[path.Dir(e.path)]; ok {
			if file, err := dir.open(path.Base(e.path)); err == nil {
				return file, nil
			}
		}
	}
	if rel, ok := f.absent("open", name); ok {
		return nil, notFound("open", rel)
	}
	return f.dirFS.Open(name)
}

// absent tells whether a name is certainly not in the package: its folder
// was listed completely (a real folder, read without error) and the name
// is not in it. The loader asks for many optional files (a pipeline as
// .json or .yml, a README per policy template), and resolving each
// through os.Root only to hear "no such file" cost as much as reading a
// file.
func (f *listedFS) absent(op, name string) (string, bool) {
	if notFoundErr == nil {
		return "", false
	}
	rel, err := cleanName(op, name)
	if err != nil || rel == "." {
		return "", false
	}
	f.list()
	if _, listed := f.byPath[rel]; listed || f.rootErr != nil {
		return "", false
	}
	i, ok := f.byPath[path.Dir(rel)]
	if !ok {
		return "", false
	}
	dir := f.entries[i]
	return rel, dir.mode.IsDir() && dir.readErr == nil && utf8.ValidString(dir.path)
}

// notFound is dirFS's error for a missing name.
func notFound(op, rel string) error {
	return &fs.PathError{Op: op, Path: rel, Err: notFoundErr}
}

func (f *listedFS) Close() error {
	for _, h := range f.dirs {
		h.close()
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
