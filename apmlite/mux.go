package apmlite

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// MuxRouteName names a request's transaction after its gorilla/mux
// route, as upstream's apmgorilla does: "<METHOD> <template>" with the
// variables' regexps removed, for example
// "GET /package/{packageName}/{packageVersion}/", and
// "<METHOD> unknown route" when no route matched (the not-found handler).
func MuxRouteName(r *http.Request) string {
	if route := mux.CurrentRoute(r); route != nil {
		if tpl, err := route.GetPathTemplate(); err == nil {
			return r.Method + " " + StripRouteRegexps(tpl)
		}
	}
	return r.Method + " " + unknownRouteLabel
}

// StripRouteRegexps turns "{name:pattern}" into "{name}" in a mux path
// template. Patterns may contain braces themselves ("{n:[0-9]{2}}"), so
// variables are delimited by brace depth.
func StripRouteRegexps(tpl string) string {
	if !strings.Contains(tpl, ":") {
		return tpl
	}
	var b strings.Builder
	b.Grow(len(tpl))
	for i := 0; i < len(tpl); {
		if tpl[i] != '{' {
			b.WriteByte(tpl[i])
			i++
			continue
		}
		end := matchingBrace(tpl, i)
		if end < 0 {
			b.WriteString(tpl[i:]) // unbalanced: leave it as it is
			break
		}
		variable := tpl[i+1 : end]
		if name, _, ok := strings.Cut(variable, ":"); ok {
			variable = name
		}
		b.WriteByte('{')
		b.WriteString(variable)
		b.WriteByte('}')
		i = end + 1
	}
	return b.String()
}

// matchingBrace is the index of the '}' closing the '{' at open, or -1.
func matchingBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
