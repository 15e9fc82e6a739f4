package warehouse

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/opsbot/opsbot"
)

// Migration is one schema file.
type Migration struct {
	Version int
	Name    string // file name, e.g. 001_requests.sql
	SQL     string
}

var migrationName = regexp.MustCompile(`^(\d{3})_[a-z0-9_]+\.sql$`)

// Migrations reads NNN_name.sql files from fsys (the root of the schema
// folder), in version order. Two files with one version are an error.
func Migrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("schema file %s: name must be NNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("schema files %s and %s share version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations
(
    version    UInt32,
    name       String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY version`

// Migrate applies the migrations not yet recorded in schema_migrations, in
// order, and records each. Running it again is a no-op. A failing file stops
// the run with its name and ClickHouse's message.
func Migrate(ctx context.Context, w Warehouse, ms []Migration) (applied []string, err error) {
	if err := w.Exec(ctx, migrationsTable, nil); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	done, err := appliedVersions(ctx, w)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if done[m.Version] {
			continue
		}
		for _, stmt := range Statements(m.SQL) {
			if err := w.Exec(ctx, stmt, nil); err != nil {
				return applied, fmt.Errorf("migration %s: %w", m.Name, err)
			}
		}
		rec := "INSERT INTO schema_migrations (version, name) VALUES ({v:UInt32}, {n:String})"
		if err := w.Exec(ctx, rec, opsbot.Params{"v": strconv.Itoa(m.Version), "n": m.Name}); err != nil {
			return applied, fmt.Errorf("record migration %s: %w", m.Name, err)
		}
		applied = append(applied, m.Name)
	}
	return applied, nil
}

func appliedVersions(ctx context.Context, w Warehouse) (map[int]bool, error) {
	res, err := w.Query(ctx, "SELECT DISTINCT version FROM schema_migrations", nil)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	done := map[int]bool{}
	for _, r := range res.Rows {
		done[int(r[0].(uint64))] = true
	}
	return done, nil
}

// Statements splits a schema file into statements at semicolons that end a
// line, dropping comment-only pieces.
func Statements(sql string) []string {
	var out []string
	for _, part := range strings.Split(sql, ";\n") {
		if s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(part), ";")); !onlyComments(s) {
			out = append(out, s)
		}
	}
	return out
}

func onlyComments(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
			return false
		}
	}
	return true
}

// Retention renders the TTL statement that keeps `days` of requests. It
// does not rewrite existing parts (rows past the new TTL go at their next
// merge), so changing retention never starts a mutation over the table.
func Retention(days int) string {
	return fmt.Sprintf("ALTER TABLE requests MODIFY TTL toDateTime(ts) + INTERVAL %d DAY SETTINGS materialize_ttl_after_modify = 0", days)
}

// ApplyRetention sets the requests TTL to days unless it already is: every
// command opens the warehouse, and an ALTER each time would be work for
// nothing.
func ApplyRetention(ctx context.Context, w Warehouse, days int) error {
	res, err := w.Query(ctx, "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'requests'", nil)
	if err != nil {
		return fmt.Errorf("read retention: %w", err)
	}
	want := fmt.Sprintf("TTL toDateTime(ts) + toIntervalDay(%d)", days)
	if len(res.Rows) == 1 && strings.Contains(fmt.Sprint(res.Rows[0][0]), want) {
		return nil
	}
	if err := w.Exec(ctx, Retention(days), nil); err != nil {
		return fmt.Errorf("set retention: %w", err)
	}
	return nil
}
