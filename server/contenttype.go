package server

import (
	"io"
	"net/http"
	"path"
	"strings"
)

// contentTypes maps the last extension of a served file name to its
// Content-Type. The first four are forced upstream; the rest
// is the reference host's MIME database, fixed here so that answers do not
// depend on the machine the registry runs on.
var contentTypes = map[string]string{
	".zip": "application/zip",
	".ico": "image/x-icon",
	".md":  "text/markdown; charset=utf-8",
	".yml": "text/yaml; charset=UTF-8",

	".json": "application/json",
	".png":  "image/png",
	".svg":  "image/svg+xml",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".gif":  "image/gif",
	".webp": "image/webp",
	".pdf":  "application/pdf",
	".txt":  "text/plain; charset=utf-8",
	".csv":  "text/csv; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".xml":  "text/xml; charset=utf-8",
	".sig":  "application/pgp-signature",
	".gz":   "application/gzip",
	".toml": "application/toml",
	".yaml": "application/x-yaml",
}

// sniffLen is how much net/http's sniffer looks at.
const sniffLen = 512

// contentType picks the type of a file by the extension of name, else by
// sniffing its first bytes; content is rewound afterwards.
func contentType(name string, content io.ReadSeeker) (string, error) {
	if ct, ok := contentTypes[strings.ToLower(path.Ext(name))]; ok {
		return ct, nil
	}
	buf := make([]byte, sniffLen)
	n, err := io.ReadFull(content, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", err
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return http.DetectContentType(buf[:n]), nil
}
