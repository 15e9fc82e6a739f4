// Package chdb is the embedded warehouse: the ClickHouse engine as a shared
// library (libchdb.so from the npm package @chdb/lib-linux-x64-gnu), loaded
// lazily with dlopen so that a binary pointed at a ClickHouse server never
// needs it.
//
// It is a small cgo binding over chDB's C API rather than a wrapper of the
// official chdb-go module, which panics at import when the library is absent
// and exposes neither server-side parameters (chdb_query_with_params) nor
// Arrow input (chdb_arrow_array_scan); opsbot needs all three.
//
// chDB runs one engine per process on one data folder. Open takes an
// exclusive lock on the folder, so a second process gets ErrLocked naming
// the owner instead of a second writer.
package chdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Warehouse is the embedded engine on one data folder.
type Warehouse struct {
	dir  string
	lock *os.File

	mu     sync.Mutex // one statement at a time per connection
	conn   connHandle
	closed bool
}

var _ warehouse.Warehouse = (*Warehouse)(nil)

// process-wide: chDB boots one engine per process, on one path.
var (
	openMu   sync.Mutex
	openPath string
)

// Open starts the embedded engine on dir (created if missing). The folder
// is locked for this process until Close.
func Open(dir string) (*Warehouse, error) {
	if err := load(); err != nil {
		return nil, err
	}
	if err := detachStdin(); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(abs, "clickhouse"), 0o700); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	lock, err := lockDir(abs)
	if err != nil {
		return nil, err
	}
	w := &Warehouse{dir: abs, lock: lock}
	if err := w.connect(); err != nil {
		unlockDir(lock)
		return nil, err
	}
	return w, nil
}

func (w *Warehouse) connect() error {
	openMu.Lock()
	defer openMu.Unlock()
	if openPath != "" && openPath != w.dir {
		return fmt.Errorf("chdb: this process already runs the engine on %s; one data folder per process", openPath)
	}
	w.conn = cConnect([]string{"opsbot", "--path=" + filepath.Join(w.dir, "clickhouse")})
	if w.conn == nil {
		return fmt.Errorf("chdb: cannot start the engine on %s", w.dir)
	}
	openPath = w.dir
	for _, s := range sessionSettings {
		if err := w.Exec(context.Background(), s, nil); err != nil {
			return fmt.Errorf("chdb: %s: %w", s, err)
		}
	}
	return nil
}

// sessionSettings make output the same whatever the host: UTC times, plain
// JSON numbers.
var sessionSettings = []string{
	"SET session_timezone = 'UTC'",
	"SET output_format_json_quote_64bit_integers = 0",
	"SET output_format_json_quote_decimals = 0",
	"SET output_format_json_named_tuples_as_objects = 0",
	// chDB treats a non-terminal stdin (even /dev/null) as external data and
	// refuses async inserts that also carry VALUES; opsbot batches itself.
	"SET async_insert = 0",
}

// Dir is the data folder.
func (w *Warehouse) Dir() string { return w.dir }

// Engine names the engine for humans.
func (w *Warehouse) Engine() string { return "chdb " + Version + " (embedded ClickHouse)" }

// Close stops using the engine and releases the folder lock. The engine
// itself stays loaded for the process (chDB cannot restart on another path).
func (w *Warehouse) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	openMu.Lock()
	cClose(w.conn)
	openPath = ""
	openMu.Unlock()
	unlockDir(w.lock)
	return nil
}

// run executes one statement with bound parameters and returns its raw
// output in format.
func (w *Warehouse) run(ctx context.Context, sql, format string, params opsbot.Params) ([]byte, opsbot.Stats, error) {
	if err := ctx.Err(); err != nil {
		return nil, opsbot.Stats{}, err
	}
	if err := checkText(sql); err != nil {
		return nil, opsbot.Stats{}, err
	}
	names, values := splitParams(params)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, opsbot.Stats{}, warehouse.ErrClosed
	}
	r := cQuery(w.conn, sql, format, names, values)
	defer r.free()
	if err := r.err(); err != nil {
		return nil, opsbot.Stats{}, err
	}
	rows, bytes, el := r.stats()
	return r.bytes(), opsbot.Stats{RowsRead: rows, BytesRead: bytes, Elapsed: el}, nil
}

// checkText refuses a statement holding a NUL byte: the C API reads C
// strings, so the text after it (a SETTINGS clause with the limits) would
// be dropped without a word.
func checkText(sql string) error {
	if strings.IndexByte(sql, 0) >= 0 {
		return errors.New("chdb: the statement holds a NUL byte")
	}
	return nil
}

func splitParams(p opsbot.Params) (names, values []string) {
	for k, v := range p {
		names = append(names, k)
		values = append(values, warehouse.EscapeParam(v))
	}
	return names, values
}

// Exec runs one statement.
func (w *Warehouse) Exec(ctx context.Context, sql string, params opsbot.Params) error {
	_, _, err := w.run(ctx, sql, "TabSeparated", params)
	return err
}

// Query runs one SELECT and decodes every row.
func (w *Warehouse) Query(ctx context.Context, sql string, params opsbot.Params, opts ...warehouse.QueryOption) (*opsbot.Result, error) {
	out, stats, err := w.run(ctx, withSettings(sql, warehouse.Limits(opts)), "JSONCompact", params)
	if err != nil {
		return nil, err
	}
	res, err := decodeJSONCompact(out)
	if err != nil {
		return nil, fmt.Errorf("decode result: %w", err)
	}
	res.Stats = stats
	return res, nil
}
