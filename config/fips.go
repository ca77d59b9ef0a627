package config

import "runtime/debug"

// IsFIPSBuild reports whether the binary was built with GOFIPS140 (the Go
// FIPS 140-3 module), which is how upstream detects FIPS builds
// (docs/operations.md, "TLS").
func IsFIPSBuild() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	return fipsFromSettings(info.Settings)
}

func fipsFromSettings(settings []debug.BuildSetting) bool {
	for _, s := range settings {
		if s.Key == "GOFIPS140" && s.Value != "" && s.Value != "off" {
			return true
		}
	}
	return false
}
