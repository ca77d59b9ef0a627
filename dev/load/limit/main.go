// Command limit is the reference of the load test (dev/load): a minimal
// net/http server that answers each recorded request with the recorded
// status, headers and body, from bytes loaded at start. What a registry
// route achieves against it is how close the route gets to the cost of
// writing preloaded bytes to a socket.
//
//	limit -address 127.0.0.1:0 -responses DIR
//
// DIR holds responses.json (limitapi.Response objects) and the body files.
// The server prints "listening on ADDRESS" once it accepts connections.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/eprgo/package-registry/dev/load/limit/limitapi"
)

type answer struct {
	status int
	header http.Header
	body   []byte
}

func main() {
	addr := flag.String("address", "127.0.0.1:0", "listen address")
	dir := flag.String("responses", "", "folder with responses.json")
	flag.Parse()
	answers, err := load(*dir)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		for k, v := range a.header {
			h[k] = v
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	})
	log.Fatal(http.Serve(ln, handler))
}

func load(dir string) (map[string]answer, error) {
	data, err := os.ReadFile(filepath.Join(dir, "responses.json"))
	if err != nil {
		return nil, err
	}
	var list []limitapi.Response
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, err
	}
	answers := make(map[string]answer, len(list))
	for _, r := range list {
		body, err := os.ReadFile(filepath.Join(dir, r.Body))
		if err != nil {
			return nil, err
		}
		answers[r.Target] = answer{status: r.Status, header: r.Header, body: body}
	}
	return answers, nil
}
