package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
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
// of what it asks, compute makes the answer for a request and tells
// whether the SQL cache may keep it; its errors are written as they are. It is a separate
// argument of serveQuery, not a field of queryAnswer, so that the closure
// stays on the stack (the endpoint name is kept by the cache, which makes
// the whole queryAnswer escape).
type parseQuery func(q url.Values) (key string, compute computeAnswer, err error)

// computeAnswer makes an answer for r.
type computeAnswer func(r *http.Request) (body []byte, keepInSQLCache bool, err error)

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
	var body []byte
	var keep bool
	if cacheable {
		body, keep, err = s.computeOnce(r, gen, answerKey, compute)
	} else {
		body, keep, err = compute(r)
	}
	if err != nil {
		return err
	}
	if keep && a.sqlCache != nil {
		a.sqlCache.Add(sqlKey, body)
	}
	s.writeJSON(w, a.maxAge, body)
	return nil
}

// computeOnce computes the answer of answerKey at generation gen and keeps
// it in the answer cache, once for all the requests that miss it
// meanwhile. An index swap empties the cache, and every Fleet polling the
// registry then asks again at about the same time: without this each of
// them would render the same answer (up to megabytes for all=true) at
// once, so that memory grew with the number of clients instead of the
// number of answers.
func (s *server) computeOnce(r *http.Request, gen uint64, answerKey string, compute computeAnswer) ([]byte, bool, error) {
	type answer struct {
		body []byte
		keep bool
	}
	v, err, _ := s.flights.Do(strconv.FormatUint(gen, 10)+"\x00"+answerKey, func() (any, error) {
		// A flight that ended just before this one started has left
		// its answer in the cache.
		if body, ok := s.answers.get(gen, answerKey); ok {
			return answer{body: body}, nil
		}
		// The answer serves every request waiting for it: the first
		// client going away must not cancel it.
		body, keep, err := compute(r.WithContext(context.WithoutCancel(r.Context())))
		if err != nil {
			return nil, err
		}
		s.answers.add(gen, answerKey, body)
		return answer{body, keep}, nil
	})
	if err != nil {
		return nil, false, err
	}
	a := v.(answer)
	return a.body, a.keep, nil
}

// sqlCacheKey is the request URL as received, not normalised (path, "?",
// raw query): the SQL indexer's caches key answers as upstream's do.
func sqlCacheKey(r *http.Request) string {
	return r.URL.Path + "?" + r.URL.RawQuery
}
