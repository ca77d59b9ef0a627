package server

import "net/http"

// health answers 200 with an empty body and no other header than CORS:
// the listener only starts once the packages are indexed (api.md §10.2).
func health(w http.ResponseWriter, r *http.Request) {}
