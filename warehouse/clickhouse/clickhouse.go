// Package clickhouse is the warehouse on a ClickHouse server or cluster,
// through clickhouse-go/v2's native protocol with LZ4 compression,
// server-side query parameters and columnar batch appends. It runs the same
// SQL files as the embedded engine.
package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Warehouse is a ClickHouse server (or a cluster behind one address).
type Warehouse struct {
	conn    driver.Conn
	version string
}

var _ warehouse.Warehouse = (*Warehouse)(nil)

// Open connects to dsn (clickhouse://user@host:9000/db?secure=true). A
// non-empty password overrides the DSN's, so that it can come from the
// environment. The server must answer a ping.
func Open(ctx context.Context, dsn, password string) (*Warehouse, error) {
	opts, err := ch.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v (want clickhouse://user@host:9000/database?secure=true)", warehouse.ErrBadDSN, redact(dsn), err)
	}
	if password != "" {
		opts.Auth.Password = password
	}
	if opts.Compression == nil {
		opts.Compression = &ch.Compression{Method: ch.CompressionLZ4}
	}
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", warehouse.ErrBadDSN, redact(dsn), err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w at %s: %v (check the address, the port (native protocol, 9000 or 9440 with secure=true) and OPSBOT_CLICKHOUSE_PASSWORD)",
			warehouse.ErrUnreachable, strings.Join(opts.Addr, ","), err)
	}
	v, err := conn.ServerVersion()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("server version: %w", err)
	}
	return &Warehouse{conn: conn, version: v.Version.String()}, nil
}

// redact hides a password written into a DSN.
func redact(dsn string) string {
	at := strings.Index(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	creds := dsn[scheme+3 : at]
	if user, _, ok := strings.Cut(creds, ":"); ok {
		return dsn[:scheme+3] + user + ":***" + dsn[at:]
	}
	return dsn
}

// Engine names the server for humans.
func (w *Warehouse) Engine() string { return "clickhouse " + w.version }

// Close closes the connection pool.
func (w *Warehouse) Close() error { return w.conn.Close() }

// queryCtx carries parameters and settings to clickhouse-go.
func queryCtx(ctx context.Context, params opsbot.Params, settings map[string]string) context.Context {
	opts := []ch.QueryOption{}
	if len(params) > 0 {
		p := ch.Parameters{}
		for k, v := range params {
			p[k] = warehouse.EscapeParam(v)
		}
		opts = append(opts, ch.WithParameters(p))
	}
	if len(settings) > 0 {
		s := ch.Settings{}
		for k, v := range settings {
			s[k] = v
		}
		opts = append(opts, ch.WithSettings(s))
	}
	return ch.Context(ctx, opts...)
}

// Exec runs one statement.
func (w *Warehouse) Exec(ctx context.Context, sql string, params opsbot.Params) error {
	return coded(w.conn.Exec(queryCtx(ctx, params, nil), sql))
}

// coded gives a server exception its code as a *warehouse.Error.
func coded(err error) error {
	var ex *ch.Exception
	if errors.As(err, &ex) {
		return &warehouse.Error{Code: int(ex.Code), Err: err}
	}
	return err
}

// Query runs one SELECT and reads every row.
func (w *Warehouse) Query(ctx context.Context, sql string, params opsbot.Params, opts ...warehouse.QueryOption) (*opsbot.Result, error) {
	res := &opsbot.Result{Rows: [][]any{}}
	cols, err := w.Stream(ctx, sql, params, func(row []any) error {
		res.Rows = append(res.Rows, row)
		return nil
	}, opts...)
	res.Columns = cols
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Stream runs one SELECT and hands rows to fn as they arrive.
func (w *Warehouse) Stream(ctx context.Context, sql string, params opsbot.Params, fn func(row []any) error, opts ...warehouse.QueryOption) ([]opsbot.Column, error) {
	rows, err := w.conn.Query(queryCtx(ctx, params, warehouse.Limits(opts).Settings()), sql)
	if err != nil {
		return nil, coded(err)
	}
	defer rows.Close()
	s := newScanner(rows.ColumnTypes())
	for rows.Next() {
		if err := rows.Scan(s.dest...); err != nil {
			return s.cols, fmt.Errorf("scan: %w", err)
		}
		if err := fn(s.row()); err != nil {
			return s.cols, err
		}
	}
	if err := rows.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return s.cols, coded(err)
	}
	return s.cols, ctx.Err()
}
