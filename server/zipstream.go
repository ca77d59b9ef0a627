package server

import (
	"archive/zip"
	"io"
	"io/fs"

	"github.com/eprgo/package-registry/loader"
)

// writePackageZip writes a directory package as a zip archive: deflated
// entries named prefix/<relative path>, one per file and per
// sub-directory (directories end in "/"), in lexical walk order, with the
// files' times and modes; no entry for the root itself. That is the layout
// of upstream's archives, which tools unpacking them rely on.
//
// The entries are those of the package's file index (loader.Files), taken
// at load: the names that the reading side of zips accepts (no
// backslashes, nothing over the depth and length limits, UTF-8), regular
// files and folders only, and symbolic links only when they lead to a
// regular file inside the package, archived as that file. The cost is that
// of the bytes written.
func writePackageZip(w io.Writer, files *loader.Files, prefix string) error {
	zw := zip.NewWriter(w)
	err := files.Each(func(name string, info fs.FileInfo, content io.Reader) error {
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
		_, err = io.Copy(entry, content)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}
