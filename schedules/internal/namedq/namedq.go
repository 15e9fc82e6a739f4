// Package namedq runs the named queries in sql/queries for the schedules:
// by file name, with bound parameters only, and reads their values.
package namedq

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// ErrNoTable is returned (wrapped) when a query reads a table that does not
// exist (ClickHouse UNKNOWN_TABLE).
var ErrNoTable = errors.New("table does not exist")

// Runner runs named queries from Files against W.
type Runner struct {
	W       warehouse.Warehouse
	Files   fs.FS // sql/queries, as sql.QueryFiles()
	Timeout int   // seconds per query (60 when 0)
}

// Run runs NAME.sql read-only with params.
func (r *Runner) Run(ctx context.Context, name string, params opsbot.Params) (*opsbot.Result, error) {
	b, err := fs.ReadFile(r.Files, name+".sql")
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", name, err)
	}
	t := r.Timeout
	if t == 0 {
		t = 60
	}
	res, err := r.W.Query(ctx, string(b), WithDefaults(string(b), params), warehouse.ReadOnly(), warehouse.Timeout(t))
	if err != nil {
		if s := err.Error(); strings.Contains(s, "UNKNOWN_TABLE") || strings.Contains(s, "Code: 60.") {
			err = fmt.Errorf("%w: %w", ErrNoTable, err)
		}
		return nil, fmt.Errorf("query %s: %w", name, err)
	}
	return res, nil
}

// defaultLine is a header line documenting a parameter with a default:
// "--   {host:String}   only this Host   default: ”".
var defaultLine = regexp.MustCompile(`^--\s+\{(\w+):[^}]*\}.*\bdefault:\s*(.*?)\s*$`)

// WithDefaults is params plus, for each parameter the query's header
// documents with a default and params lacks, that default (” is empty).
func WithDefaults(query string, params opsbot.Params) opsbot.Params {
	out := opsbot.Params{}
	for _, l := range strings.Split(query, "\n") {
		if !strings.HasPrefix(l, "--") {
			break
		}
		if m := defaultLine.FindStringSubmatch(l); m != nil {
			out[m[1]] = strings.Trim(m[2], "'")
		}
	}
	for k, v := range params {
		out[k] = v
	}
	return out
}

// TableExists reports whether table exists in the current database.
func (r *Runner) TableExists(ctx context.Context, table string) (bool, error) {
	res, err := r.W.Query(ctx, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = {t:String}",
		opsbot.Params{"t": table}, warehouse.ReadOnly())
	if err != nil {
		return false, fmt.Errorf("look up table %s: %w", table, err)
	}
	return len(res.Rows) == 1 && warehouse.Uint64(res.Rows[0][0]) > 0, nil
}

// Row is one result row addressed by column name.
type Row struct {
	r   *opsbot.Result
	row []any
}

// Rows are res's rows.
func Rows(res *opsbot.Result) []Row {
	out := make([]Row, len(res.Rows))
	for i, r := range res.Rows {
		out[i] = Row{res, r}
	}
	return out
}

// Get is the value of column name, or nil.
func (r Row) Get(name string) any {
	if i := r.r.Col(name); i >= 0 && i < len(r.row) {
		return r.row[i]
	}
	return nil
}

// U is column name as a uint64.
func (r Row) U(name string) uint64 { return warehouse.Uint64(r.Get(name)) }

// F is column name as a float64.
func (r Row) F(name string) float64 { f, _ := warehouse.Float(r.Get(name)); return f }

// S is column name as text.
func (r Row) S(name string) string { return warehouse.String(r.Get(name)) }
