package config

import (
	"fmt"
	"time"
)

// CacheTimeError reports the first route handler that upstream would fail
// to build because its cache time is not > 0; the router set-up reports it
// as a fatal start-up error.
// Handlers are built in a fixed order, so with several bad values the
// first handler in that order is the one named.
func (f *File) CacheTimeError() error {
	handlers := []struct {
		name string
		d    time.Duration
	}{
		{"artifacts", f.CacheTimeCatchAll},
		{"signatures", f.CacheTimeCatchAll},
		{"favicon", f.CacheTimeCatchAll},
		{"index", f.CacheTimeIndex},
		{"categories", f.CacheTimeCategories},
		{"package index", f.CacheTimeIndex},
		{"search", f.CacheTimeSearch},
		{"static", f.CacheTimeCatchAll},
	}
	for _, h := range handlers {
		if h.d <= 0 {
			return fmt.Errorf("can't create %s handler: cache time must be greater than 0s", h.name)
		}
	}
	return nil
}
