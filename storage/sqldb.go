package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"modernc.org/sqlite"

	"github.com/eprgo/package-registry/indexer"
	"github.com/eprgo/package-registry/packages"
)

// The schema keeps what the pushed-down filters need in columns and the
// package document as it came in the index. ord keeps the index order,
// which decides between versions of equal semver precedence (1.0.0+a and
// 1.0.0+b): the one listed first in the index wins.
const (
	dropTableSQL   = `DROP TABLE IF EXISTS packages`
	createTableSQL = `CREATE TABLE packages (
  cursor TEXT NOT NULL,
  ord INTEGER NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  prerelease INTEGER NOT NULL,
  release TEXT NOT NULL,
  type TEXT NOT NULL,
  kibanaVersion TEXT,
  formatVersion TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (cursor, ord))`
	createIndexSQL = `CREATE INDEX idx_name ON packages (cursor, name)`

	insertColumns = `cursor, ord, name, version, prerelease, release, type, kibanaVersion, formatVersion, data`
	insertArity   = 10
	// sqliteMaxVariables is SQLite's default limit of bound parameters per
	// statement; multi-row inserts are split to stay under it.
	sqliteMaxVariables = 32766
)

// sqlDB is one of the two database files.
type sqlDB struct {
	path string
	db   *sql.DB
}

// createSQLDB deletes any previous file at path and creates an empty
// database there.
func createSQLDB(ctx context.Context, d *sqlite.Driver, path string) (*sqlDB, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("failed to delete previous database (path \"%s\"): %w", path, err)
	}
	s := &sqlDB{path: path, db: openSQL(d, path)}
	if err := s.reset(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("failed to open database (path \"%s\"): %w", path, err)
	}
	return s, nil
}

// reset drops and recreates the packages table.
func (s *sqlDB) reset(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range []string{dropTableSQL, createTableSQL, createIndexSQL} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// row is what is stored for one package.
type row struct {
	ord int
	pkg *packages.Package
	raw []byte
}

// insert writes rows in one transaction, rowsPerInsert rows per INSERT.
func (s *sqlDB) insert(ctx context.Context, cursor string, rows []row, rowsPerInsert int) error {
	if rowsPerInsert*insertArity > sqliteMaxVariables {
		rowsPerInsert = sqliteMaxVariables / insertArity
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for start := 0; start < len(rows); start += rowsPerInsert {
		chunk := rows[start:min(start+rowsPerInsert, len(rows))]
		var b strings.Builder
		b.WriteString("INSERT INTO packages (" + insertColumns + ") VALUES ")
		args := make([]any, 0, len(chunk)*insertArity)
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("(?,?,?,?,?,?,?,?,?,?)")
			args = append(args, rowArgs(cursor, r)...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("failed to create all packages (bulk operation): %w", err)
		}
	}
	return tx.Commit()
}

func rowArgs(cursor string, r row) []any {
	p := r.pkg
	prerelease := 0
	if p.SemVer.Prerelease() != "" {
		prerelease = 1
	}
	var kibana any // NULL: no Kibana condition
	if p.Conditions != nil && p.Conditions.Kibana != nil {
		kibana = p.Conditions.Kibana.Version
	}
	return []any{cursor, r.ord, p.Name, p.Version, prerelease, p.Release, p.Type, kibana, p.FormatVersion, r.raw}
}

// readQuery selects the rows of cursor that can pass f. Only filters whose
// outcome depends on the package alone are pushed down, so running f on
// the result gives exactly what it gives on the whole index, as the
// in-memory indexer would.
func readQuery(cursor string, f *packages.Filter, withData bool) (string, []any) {
	var q strings.Builder
	q.WriteString("SELECT name, version, release, type, formatVersion")
	if withData {
		q.WriteString(", data")
	}
	q.WriteString(" FROM packages WHERE cursor = ?")
	args := []any{cursor}
	if f != nil {
		if f.PackageName != "" {
			q.WriteString(" AND name = ?")
			args = append(args, f.PackageName)
		}
		if f.PackageVersion != "" {
			q.WriteString(" AND version = ?")
			args = append(args, f.PackageVersion)
		}
		if f.PackageType != "" {
			q.WriteString(" AND type = ?")
			args = append(args, f.PackageType)
		}
		if f.KibanaVersion != nil {
			q.WriteString(" AND (kibanaVersion IS NULL OR semver_compare_constraint(kibanaVersion, ?))")
			args = append(args, f.KibanaVersion.String())
		}
		if !f.Experimental && !f.Prerelease {
			q.WriteString(" AND prerelease = 0 AND release != 'experimental'")
		}
	}
	q.WriteString(" ORDER BY ord")
	return q.String(), args
}

// read returns the packages of cursor that can pass f, in index order:
// decoded from the stored documents, or, with withData false, only name,
// version, release, type and format_version.
func (s *sqlDB) read(ctx context.Context, cursor string, f *packages.Filter, withData bool, resolver indexer.RemoteResolver) (packages.Packages, error) {
	query, args := readQuery(cursor, f, withData)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("failed to query packages: %w", err)
	}
	defer rows.Close()
	var pkgs packages.Packages
	for rows.Next() {
		var name, version, release, typ, formatVersion string
		var data []byte
		dest := []any{&name, &version, &release, &typ, &formatVersion}
		if withData {
			dest = append(dest, &data)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("failed to read package: %w", err)
		}
		var p *packages.Package
		if withData {
			p, err = decodePackage(data, resolver)
		} else {
			p, err = minimalPackage(name, version, release, typ, formatVersion, resolver)
		}
		if err != nil {
			return nil, fmt.Errorf("failed to read package %s-%s: %w", name, version, err)
		}
		pkgs = append(pkgs, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("failed to read packages: %w", err)
	}
	return pkgs, nil
}

func minimalPackage(name, version, release, typ, formatVersion string, resolver indexer.RemoteResolver) (*packages.Package, error) {
	p := &packages.Package{Name: name, Version: version, Release: release, Type: typ, FormatVersion: formatVersion}
	if err := p.InitRuntime(); err != nil {
		return nil, err
	}
	p.Resolver = resolver
	return p, nil
}

func (s *sqlDB) close() error { return s.db.Close() }
