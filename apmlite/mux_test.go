package apmlite_test

import (
	"testing"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/server"
)

func TestStripRouteRegexps(t *testing.T) {
	tests := []struct{ in, want string }{
		{server.RouteSearch, "/search"},
		{server.RouteArtifact, "/epr/{packageName}/{packageName}-{packageVersion}.zip"},
		{server.RouteSignature, "/epr/{packageName}/{packageName}-{packageVersion}.zip.sig"},
		{server.RoutePackageIndex, "/package/{packageName}/{packageVersion}/"},
		{server.RouteStatic, "/package/{packageName}/{packageVersion}/{name}"},
		{"/a/{n:[0-9]{2,3}}/b", "/a/{n}/b"},
		{"/a/{n:x}{m}", "/a/{n}{m}"},
		{"/odd/{n:[a-z]", "/odd/{n:[a-z]"},
		{"/time/12:30", "/time/12:30"},
	}
	for _, tt := range tests {
		if got := apmlite.StripRouteRegexps(tt.in); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}
