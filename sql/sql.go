// Package sql embeds opsbot's SQL: the versioned schema (schema/NNN_name.sql,
// applied in order by `opsbot migrate`) and the named queries
// (queries/NAME.sql) that the chat phrases map to and that analysts run
// unchanged with clickhouse-client. Both engines run the same files.
package sql

import (
	"context"
	"embed"
	"io/fs"

	"github.com/opsbot/opsbot/warehouse"
)

// Schema holds schema/NNN_name.sql.
//
//go:embed schema/*.sql
var Schema embed.FS

// Queries holds queries/NAME.sql.
//
//go:embed all:queries
var Queries embed.FS

// SchemaFiles is Schema rooted at schema/, for warehouse.Migrations.
func SchemaFiles() fs.FS { return mustSub(Schema, "schema") }

// QueryFiles is Queries rooted at queries/.
func QueryFiles() fs.FS { return mustSub(Queries, "queries") }

// Migrations is the schema, in version order.
func Migrations() ([]warehouse.Migration, error) { return warehouse.Migrations(SchemaFiles()) }

// Migrate applies the schema migrations w has not recorded yet, in order;
// applied names them (see warehouse.Migrate).
func Migrate(ctx context.Context, w warehouse.Warehouse) (applied []string, err error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	return warehouse.Migrate(ctx, w, ms)
}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a constant embedded above
	}
	return s
}
