// Package warehouse defines how opsbot talks to ClickHouse, whichever engine
// runs it: the embedded chDB library (package warehouse/chdb) or a ClickHouse
// server or cluster (package warehouse/clickhouse). It also applies the
// versioned schema in sql/schema.
package warehouse

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/opsbot/opsbot"
)

// Warehouse is a ClickHouse engine.
//
// Contract, for every implementation:
//   - Exec runs one statement (DDL, INSERT … SELECT, ALTER) and returns when it
//     is done. Params bind {name:Type} placeholders server-side.
//   - Query runs one SELECT and returns every row, typed as opsbot.Result
//     documents. It honours ctx cancellation and the limits in opts.
//   - Stream runs one SELECT and calls fn for each row in order, without
//     holding the whole result; an error from fn stops the query and is
//     returned.
//   - Insert appends one Arrow record batch to table, mapping columns by name.
//     A non-empty DedupToken makes the insert idempotent: inserting the same
//     token again (after a crash, a retry) adds nothing.
//   - InsertMany appends record batches of one schema as one insert: one
//     block, so one part that commits whole or not at all (up to the
//     engine's min_insert_block_size, about a million rows), under one
//     DedupToken.
//   - Methods are safe for concurrent use.
type Warehouse interface {
	Exec(ctx context.Context, sql string, params opsbot.Params) error
	Query(ctx context.Context, sql string, params opsbot.Params, opts ...QueryOption) (*opsbot.Result, error)
	Stream(ctx context.Context, sql string, params opsbot.Params, fn func(row []any) error, opts ...QueryOption) ([]opsbot.Column, error)
	Insert(ctx context.Context, table string, rec arrow.Record, opts InsertOptions) error
	InsertMany(ctx context.Context, table string, recs []arrow.Record, opts InsertOptions) error
	Engine() string // "chdb 26.5" or "clickhouse 25.x", for humans
	Close() error
}

// InsertOptions tune one Insert.
type InsertOptions struct {
	// DedupToken, when set, is ClickHouse's insert_deduplication_token: a
	// second insert with the same token into the same table is a no-op.
	DedupToken string
}

// QueryOption limits a query.
type QueryOption func(*QueryLimits)

// QueryLimits are the ClickHouse settings a query runs under.
type QueryLimits struct {
	ReadOnly      bool   // readonly=1: nothing but reads
	MaxSeconds    int    // max_execution_time
	MaxResultRows uint64 // max_result_rows, with result_overflow_mode=break
	MaxRowsToRead uint64 // max_rows_to_read
	MaxMemory     uint64 // max_memory_usage, bytes
	MaxResultSize uint64 // max_result_bytes, with result_overflow_mode=break
}

// ReadOnly runs the query with readonly=1.
func ReadOnly() QueryOption { return func(l *QueryLimits) { l.ReadOnly = true } }

// Timeout caps the query's execution time in seconds.
func Timeout(seconds int) QueryOption { return func(l *QueryLimits) { l.MaxSeconds = seconds } }

// MaxRows caps the number of result rows (extra rows are cut, not an error).
func MaxRows(n uint64) QueryOption { return func(l *QueryLimits) { l.MaxResultRows = n } }

// MaxMemory caps the query's memory in the engine, in bytes.
func MaxMemory(bytes uint64) QueryOption { return func(l *QueryLimits) { l.MaxMemory = bytes } }

// MaxResultBytes caps the size of the result (extra rows are cut).
func MaxResultBytes(n uint64) QueryOption { return func(l *QueryLimits) { l.MaxResultSize = n } }

// Limits folds options into one QueryLimits.
func Limits(opts []QueryOption) QueryLimits {
	var l QueryLimits
	for _, o := range opts {
		o(&l)
	}
	return l
}

// Settings renders the limits as ClickHouse settings (name → value).
func (l QueryLimits) Settings() map[string]string {
	s := map[string]string{}
	if l.ReadOnly {
		s["readonly"] = "1"
	}
	if l.MaxSeconds > 0 {
		s["max_execution_time"] = strconv.Itoa(l.MaxSeconds)
	}
	if l.MaxResultRows > 0 {
		s["max_result_rows"] = strconv.FormatUint(l.MaxResultRows, 10)
		s["result_overflow_mode"] = "break"
	}
	if l.MaxMemory > 0 {
		s["max_memory_usage"] = strconv.FormatUint(l.MaxMemory, 10)
	}
	if l.MaxResultSize > 0 {
		s["max_result_bytes"] = strconv.FormatUint(l.MaxResultSize, 10)
		s["result_overflow_mode"] = "break"
	}
	if l.MaxRowsToRead > 0 {
		s["max_rows_to_read"] = strconv.FormatUint(l.MaxRowsToRead, 10)
	}
	return s
}

// Errors every implementation returns (wrapped) where they apply.
var (
	// ErrNoEngine: the embedded engine library is missing.
	ErrNoEngine = errors.New("embedded ClickHouse engine (libchdb.so) not found")
	// ErrLocked: another process owns the data folder.
	ErrLocked = errors.New("data folder is in use by another opsbot process")
	// ErrUnreachable: the ClickHouse server did not answer.
	ErrUnreachable = errors.New("clickhouse server unreachable")
	// ErrBadDSN: the server address could not be parsed.
	ErrBadDSN = errors.New("bad clickhouse DSN")
	// ErrClosed: the warehouse was closed.
	ErrClosed = errors.New("warehouse closed")
)

// paramEscaper escapes a parameter value for ClickHouse, which reads
// {name:Type} values in its escaped (TSV) text format: without this a tab,
// a newline or a backslash in a value would change or break it.
var paramEscaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`, "\x00", `\0`)

// EscapeParam renders a parameter value so that the engine binds exactly
// the given text.
func EscapeParam(v string) string { return paramEscaper.Replace(v) }

// Rows counts the rows of recs.
func Rows(recs []arrow.Record) int64 {
	n := int64(0)
	for _, r := range recs {
		n += r.NumRows()
	}
	return n
}
