package config

import (
	"crypto/tls"
	"fmt"
)

// tlsVersionFlag is -tls-min-version: exactly "1.1", "1.2" or "1.3"
// (upstream's accepted values). Its zero value means "unset" and prints as "", so
// -help shows no default for it, like upstream.
type tlsVersionFlag uint16

var tlsVersionNames = map[string]uint16{
	"1.1": tls.VersionTLS11,
	"1.2": tls.VersionTLS12,
	"1.3": tls.VersionTLS13,
}

func (v *tlsVersionFlag) Set(s string) error {
	version, ok := tlsVersionNames[s]
	if !ok {
		return fmt.Errorf("unsupported TLS version: %s", s)
	}
	*v = tlsVersionFlag(version)
	return nil
}

func (v *tlsVersionFlag) String() string {
	if v == nil {
		return ""
	}
	return TLSVersionName(uint16(*v))
}

// TLSVersionName is the -tls-min-version spelling of a TLS version, "" for
// unset or unknown values.
func TLSVersionName(version uint16) string {
	for name, v := range tlsVersionNames {
		if v == version {
			return name
		}
	}
	return ""
}
