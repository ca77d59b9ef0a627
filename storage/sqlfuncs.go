package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"

	"github.com/Masterminds/semver/v3"
	"modernc.org/sqlite"
)

// newSQLDriver returns a SQLite driver (pure Go, no cgo) with the functions
// the pushed-down filters use. Each indexer has its own driver, so nothing
// is registered process-wide.
func newSQLDriver() (*sqlite.Driver, error) {
	d := &sqlite.Driver{}
	var constraints sync.Map // constraint text → *semver.Constraints
	err := d.RegisterDeterministicScalarFunction("semver_compare_constraint", 2,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			text, _ := args[0].(string)
			version, _ := args[1].(string)
			c, ok := constraints.Load(text)
			if !ok {
				parsed, err := semver.NewConstraint(text)
				if err != nil {
					// Loads reject invalid constraints, so this is not reached.
					return int64(0), nil
				}
				c, _ = constraints.LoadOrStore(text, parsed)
			}
			v, err := semver.NewVersion(version)
			if err != nil {
				return int64(0), nil
			}
			if c.(*semver.Constraints).Check(v) {
				return int64(1), nil
			}
			return int64(0), nil
		})
	if err != nil {
		return nil, err
	}
	// The files are scratch space, deleted at every start: durability
	// buys nothing, while syncing every batch slows loads down.
	d.RegisterConnectionHook(func(conn sqlite.ExecQuerierContext, _ string) error {
		_, err := conn.ExecContext(context.Background(), "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY", nil)
		return err
	})
	return d, nil
}

// connector opens connections of one database file through a driver that
// is not registered with database/sql.
type connector struct {
	driver *sqlite.Driver
	dsn    string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }

func (c connector) Driver() driver.Driver { return c.driver }

func openSQL(d *sqlite.Driver, path string) *sql.DB {
	return sql.OpenDB(connector{driver: d, dsn: path})
}
