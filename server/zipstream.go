package server

import (
	"archive/zip"
	"io"
	"io/fs"
	"os"
	"unicode/utf8"
)

// writePackageZip writes the package directory root as a zip archive:
// deflated entries named prefix/<relative path>, one per file and per
// sub-directory (directories end in "/"), in lexical walk order, with the
// files' times and modes; no entry for the root itself. That is the layout
// of upstream's archives, which tools unpacking them rely on.
//
// Files are read through os.Root, as static files are: a symbolic link to
// a file of the package is archived as that file, one leading out of the
// package (or to a directory) is left out, and so are names that are not
// UTF-8.
func writePackageZip(w io.Writer, root, prefix string) error {
	pkg, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	defer pkg.Close()
	zw := zip.NewWriter(w)
	err = fs.WalkDir(pkg.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name == "." {
			return nil
		}
		if !utf8.ValidString(name) {
			// io/fs cannot read such a folder, and the loader leaves
			// such names out of the assets: leave them out here too,
			// rather than failing every download of the package.
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		info, ok, err := archivedInfo(pkg, name, d)
		if err != nil || !ok {
			return err
		}
		hdr, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		hdr.Name = prefix + "/" + name
		hdr.Method = zip.Deflate
		if info.IsDir() {
			hdr.Name += "/"
			_, err = zw.CreateHeader(hdr)
			return err
		}
		entry, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		return copyFile(entry, pkg, name)
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

// archivedInfo says whether an entry of the walk goes into the archive and
// with which file information: directories and regular files do, links do
// when they lead to a regular file inside the package, nothing else does.
func archivedInfo(pkg *os.Root, name string, d fs.DirEntry) (fs.FileInfo, bool, error) {
	switch {
	case d.IsDir() || d.Type().IsRegular():
		info, err := d.Info()
		return info, err == nil, err
	case d.Type()&fs.ModeSymlink != 0:
		info, err := pkg.Stat(name)
		if err != nil || !info.Mode().IsRegular() {
			return nil, false, nil
		}
		return info, true, nil
	}
	return nil, false, nil
}

func copyFile(w io.Writer, pkg *os.Root, name string) error {
	f, err := pkg.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
