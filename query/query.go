// Package query answers chat phrases ("top 4xx by ip last 24h") from the
// requests table. A phrase is parsed against a fixed grammar into one of the
// named queries in sql/queries (the same files analysts run with
// clickhouse-client) plus bound parameters: words from chat pick files and
// catalog entries, and values from chat only ever travel as parameters.
//
// Engine.Ask answers a phrase; Engine.Explain shows the SQL and parameters
// it would run; Engine.Skill is the chat skill (top, hits, traffic, status,
// rate, slowest, graph, explain); Engine.Suggest proposes a phrase for text
// nobody understood. WriteJSON (and package text) render answers for
// the terminal, Slack and the command line.
package query

import (
	"context"
	"fmt"
	"io/fs"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
)

// Options tune an Engine. Zero values take the defaults.
type Options struct {
	Location     *time.Location // windows like "today" (default UTC)
	MaxRows      int            // cap on any answer's rows (default 1000)
	Timeout      time.Duration  // cap on any query's run time (default 30s)
	DefaultLimit int            // N for "top" without a number (default 10)
	SlowSeconds  float64        // what "slow" means (default 1)
	Queries      fs.FS          // the named queries (default sql.QueryFiles())
	// Chat are the command words the chat answers besides these phrases
	// (ban, sql …): Plan names them as chat commands, not unknown words.
	Chat []string
}

func (o *Options) fill() {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 1000
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.DefaultLimit <= 0 {
		o.DefaultLimit = 10
	}
	o.DefaultLimit = min(o.DefaultLimit, o.MaxRows)
	if o.SlowSeconds <= 0 {
		o.SlowSeconds = 1
	}
	if o.Queries == nil {
		o.Queries = sql.QueryFiles()
	}
}

// Engine answers phrases and runs named queries. Safe for concurrent use.
type Engine struct {
	w    warehouse.Warehouse
	opts Options
	cat  *sql.Catalog
}

// New builds an Engine over w. A broken query file is reported when it is
// used rather than here, so that wiring stays one line; Problems lists them.
func New(w warehouse.Warehouse, opts Options) *Engine {
	opts.fill()
	return &Engine{w: w, opts: opts, cat: sql.NewCatalog(opts.Queries)}
}

// Named returns the named query, or an error wrapping opsbot.ErrNotFound
// that lists the names.
func (e *Engine) Named(name string) (*sql.Named, error) { return e.cat.Named(name) }

// List returns the named queries, sorted by name.
func (e *Engine) List() []*sql.Named { return e.cat.List() }

// Run runs a named query with params (missing ones take the header's
// defaults, relative to now) under the engine's limits, read-only.
func (e *Engine) Run(ctx context.Context, name string, params opsbot.Params, now time.Time) (*opsbot.Result, opsbot.Params, error) {
	ctx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	defer cancel()
	return e.cat.Run(ctx, e.w, name, params, now, e.limits()...)
}

// limits are the engine's limits for every query it runs.
func (e *Engine) limits() []warehouse.QueryOption {
	secs := int((e.opts.Timeout + time.Second - 1) / time.Second)
	return []warehouse.QueryOption{warehouse.ReadOnly(), warehouse.Timeout(secs), warehouse.MaxRows(uint64(e.opts.MaxRows))}
}

func (e *Engine) run(ctx context.Context, sqlText string, params opsbot.Params) (*opsbot.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	defer cancel()
	res, err := e.w.Query(ctx, sqlText, params, e.limits()...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	return res, nil
}

// Problems lists the query files that could not be read, by name.
func (e *Engine) Problems() map[string]error { return e.cat.Problems() }
