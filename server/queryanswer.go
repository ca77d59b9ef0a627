package server

import (
	"net/http"
	"net/url"
	"time"
)

// queryAnswer is what differs between /search and /categories; the way an
// answer is found in the caches or made (serveQuery) is the same.
type queryAnswer struct {
	// endpoint names the answers in the answer cache.
	endpoint string
	maxAge   time.Duration
	// sqlCache is the SQL indexer's cache by raw URL (Options.SearchCache
	// or CategoriesCache), or nil.
	sqlCache ResponseCache
}

// parseQuery reads a query (an error is a 400): key is the canonical form
// of what it asks, compute makes the answer and tells whether the SQL
// cache may keep it; its errors are written as they are. It is a separate
// argument of serveQuery, not a field of queryAnswer, so that the closure
// stays on the stack (the endpoint name is kept by the cache, which makes
// the whole queryAnswer escape).
type parseQuery func(q url.Values) (key string, compute func() (body []byte, keepInSQLCache bool, err error), err error)

// serveQuery answers from the SQL indexer's cache, then from the answers
// of the current index generation (by raw query, then by canonical key),
// and otherwise computes the answer and keeps it in both.
func (s *server) serveQuery(w http.ResponseWriter, r *http.Request, a queryAnswer, parse parseQuery) error {
	var sqlKey string
	if a.sqlCache != nil {
		sqlKey = sqlCacheKey(r)
		if body, ok := a.sqlCache.Get(sqlKey); ok {
			s.writeJSON(w, a.maxAge, body)
			return nil
		}
	}
	gen, cacheable := s.generation()
	raw := rawQuery{a.endpoint, r.URL.RawQuery}
	if cacheable {
		if body, ok := s.answerByRaw(gen, raw); ok {
			s.writeJSON(w, a.maxAge, body)
			return nil
		}
	}
	key, compute, err := parse(r.URL.Query())
	if err != nil {
		return badRequest(err.Error())
	}
	answerKey := a.endpoint + "\x00" + key
	cacheable = cacheable && cachedKey(answerKey)
	if cacheable {
		s.alias(raw, answerKey)
		if body, ok := s.answers.get(gen, answerKey); ok {
			s.writeJSON(w, a.maxAge, body)
			return nil
		}
	}
	body, keep, err := compute()
	if err != nil {
		return err
	}
	if cacheable {
		s.answers.add(gen, answerKey, body)
	}
	if keep && a.sqlCache != nil {
		a.sqlCache.Add(sqlKey, body)
	}
	s.writeJSON(w, a.maxAge, body)
	return nil
}

// sqlCacheKey is the request URL as received, not normalised (path, "?",
// raw query): the SQL indexer's caches key answers as upstream's do.
func sqlCacheKey(r *http.Request) string {
	return r.URL.Path + "?" + r.URL.RawQuery
}
