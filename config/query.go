package config

import (
	"regexp"
	"slices"
	"time"
)

// Query is the `query:` section: limits for the chat phrases and named
// queries. Windows like "today" use the top-level `timezone`.
type Query struct {
	// MaxRows caps every answer's rows (default 1000); "top N" is capped to it.
	MaxRows int `yaml:"max_rows"`
	// Timeout caps every query's run time (default 30s).
	Timeout time.Duration `yaml:"timeout"`
	// DefaultLimit is N when a phrase says "top" without a number (default 10).
	DefaultLimit int `yaml:"default_limit"`
	// SlowSeconds is what "slow" means: requests taking at least this long
	// (default 1s).
	SlowSeconds float64 `yaml:"slow_seconds"`
	// SQL limits the analysts' `sql` command.
	SQL SQL `yaml:"sql"`
}

// SQL is what `sql` may read and spend. Its time limit is query.timeout
// and its row limit query.max_rows.
type SQL struct {
	// Tables are the tables `sql` may read besides requests: log tables
	// only, never opsbot's own state (audit log, bans, secrets, schedules).
	Tables []string `yaml:"tables"`
	// MaxMemoryMB caps one statement's memory in the engine (default 1024).
	MaxMemoryMB int `yaml:"max_memory_mb"`
	// MaxResultMB caps one answer's size (default 8).
	MaxResultMB int `yaml:"max_result_mb"`
}

// StateTables are opsbot's own tables: `sql` never reads them, whatever
// query.sql.tables says.
var StateTables = []string{"audit_log", "bans", "totp_secrets", "schedule_runs", "scheduler_lease",
	"alert_state", "silences", "schema_migrations", "audit_findings", "audit_runs", "ingest_objects", "ingest_messages", "redirects", "deploys", "deploy_locks",
	"feed_items", "feed_deliveries", "feed_cursors"}

// SQLTables is every table `sql` may read: requests, org_stats (the
// weekly organization figures, kept for analysts to chart: aggregates
// without command text or user identities) and query.sql.tables.
func (c *Query) SQLTables() []string {
	return append([]string{"requests", "org_stats"}, c.SQL.Tables...)
}

func (c *Query) defaults() {
	c.MaxRows, c.Timeout, c.DefaultLimit, c.SlowSeconds = 1000, 30*time.Second, 10, 1
	c.SQL.MaxMemoryMB, c.SQL.MaxResultMB = 1024, 8
}

func (c *Query) validate() error {
	switch {
	case c.MaxRows < 1 || c.MaxRows > 1_000_000:
		return fieldErr("query.max_rows", "must be between 1 and 1000000, got %d", c.MaxRows)
	case c.Timeout < time.Second:
		return fieldErr("query.timeout", "must be at least 1s, got %s", c.Timeout)
	case c.DefaultLimit < 1 || c.DefaultLimit > c.MaxRows:
		return fieldErr("query.default_limit", "must be between 1 and query.max_rows (%d), got %d", c.MaxRows, c.DefaultLimit)
	case c.SlowSeconds <= 0:
		return fieldErr("query.slow_seconds", "must be above 0, got %g", c.SlowSeconds)
	case c.SQL.MaxMemoryMB < 16 || c.SQL.MaxMemoryMB > 1<<20:
		return fieldErr("query.sql.max_memory_mb", "must be between 16 and 1048576, got %d", c.SQL.MaxMemoryMB)
	case c.SQL.MaxResultMB < 1 || c.SQL.MaxResultMB > 1024:
		return fieldErr("query.sql.max_result_mb", "must be between 1 and 1024, got %d", c.SQL.MaxResultMB)
	}
	return c.SQL.validateTables()
}

func (c *SQL) validateTables() error {
	for _, t := range c.Tables {
		if !plainTable.MatchString(t) {
			return fieldErr("query.sql.tables", "%q is not a table name of the opsbot database (letters, digits, _; no database prefix)", t)
		}
		if slices.Contains(StateTables, t) {
			return fieldErr("query.sql.tables", "%q is opsbot's own state and is never readable through `sql`", t)
		}
	}
	return nil
}

var plainTable = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
