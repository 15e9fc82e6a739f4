package warehouse

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	createTable = regexp.MustCompile(`(?i)^(\s*(?:--[^\n]*\n\s*)*)CREATE TABLE IF NOT EXISTS ((?:\w+\.)?\w+)`)
	createDB    = regexp.MustCompile(`(?i)^(\s*(?:--[^\n]*\n\s*)*CREATE DATABASE IF NOT EXISTS \w+)`)
	dropTable   = regexp.MustCompile(`(?i)^(\s*(?:--[^\n]*\n\s*)*)DROP TABLE IF EXISTS ((?:\w+\.)?\w+)\s*$`)
	mergeEngine = regexp.MustCompile(`(?i)ENGINE\s*=\s*(\w*)MergeTree(\(([^)]*)\))?`)
	alterTable  = regexp.MustCompile(`(?i)^(\s*(?:--[^\n]*\n\s*)*)ALTER TABLE (\w+)`)
	alterColumn = regexp.MustCompile(`(?i)\b(ADD|DROP|MODIFY|RENAME|COMMENT) COLUMN\b`)
	createView  = regexp.MustCompile(`(?i)^(\s*(?:--[^\n]*\n\s*)*)CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) TO (\w+) AS\b`)
	fromTable   = regexp.MustCompile(`\bFROM\s+(\w+)\b`)
)

// ClusterStatements renders one schema statement for a ClickHouse cluster:
// a CREATE TABLE becomes NAME_local ON CLUSTER with the Replicated variant of
// its engine, plus a Distributed table NAME over it, so that queries keep
// using the plain names; a CREATE MATERIALIZED VIEW NAME TO TARGET reads
// and fills the local tables, ON CLUSTER; an ALTER TABLE targets NAME_local
// ON CLUSTER, and when it changes columns, the Distributed NAME as well.
func ClusterStatements(stmt, cluster string) []string {
	on := " ON CLUSTER " + quoteIdent(cluster)
	if m := createTable.FindStringSubmatch(stmt); m != nil {
		name := m[2]
		db, table := splitName(name)
		local := createTable.ReplaceAllString(stmt, "${1}CREATE TABLE IF NOT EXISTS "+name+"_local"+on)
		local = mergeEngine.ReplaceAllStringFunc(local, func(e string) string {
			p := mergeEngine.FindStringSubmatch(e)
			args := fmt.Sprintf("'/clickhouse/tables/{shard}/{database}/%s_local', '{replica}'", table)
			if strings.TrimSpace(p[3]) != "" {
				args += ", " + p[3]
			}
			return fmt.Sprintf("ENGINE = Replicated%sMergeTree(%s)", p[1], args)
		})
		dist := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s%s AS %s_local ENGINE = Distributed(%s, %s, %s_local, rand())",
			name, on, name, quoteString(cluster), db, table)
		return []string{local, dist}
	}
	if loc := createView.FindStringIndex(stmt); loc != nil {
		// A view fires on the inserts into the local table it reads (FROM,
		// after AS) and fills the local table on the same node.
		head := createView.ReplaceAllString(stmt[:loc[1]], "${1}CREATE MATERIALIZED VIEW IF NOT EXISTS ${2}"+on+" TO ${3}_local AS")
		return []string{head + fromTable.ReplaceAllString(stmt[loc[1]:], "FROM ${1}_local")}
	}
	if createDB.MatchString(stmt) {
		return []string{createDB.ReplaceAllString(stmt, "${1}"+on)}
	}
	if m := dropTable.FindStringSubmatch(stmt); m != nil {
		return []string{m[1] + "DROP TABLE IF EXISTS " + m[2] + on + " SYNC", "DROP TABLE IF EXISTS " + m[2] + "_local" + on + " SYNC"}
	}
	if m := alterTable.FindStringSubmatch(stmt); m != nil {
		out := []string{alterTable.ReplaceAllString(stmt, "${1}ALTER TABLE ${2}_local"+on)}
		if alterColumn.MatchString(stmt) {
			out = append(out, alterTable.ReplaceAllString(stmt, "${1}ALTER TABLE ${2}"+on))
		}
		return out
	}
	return []string{stmt}
}

// splitName splits db.table; an unqualified table is in the current
// database (currentDatabase() in a Distributed engine's arguments).
func splitName(name string) (db, table string) {
	if d, t, ok := strings.Cut(name, "."); ok {
		return quoteString(d), t
	}
	return "currentDatabase()", name
}

// ClusterMigrations renders every migration for a cluster.
func ClusterMigrations(ms []Migration, cluster string) []Migration {
	out := make([]Migration, len(ms))
	for i, m := range ms {
		var stmts []string
		for _, s := range Statements(m.SQL) {
			stmts = append(stmts, ClusterStatements(s, cluster)...)
		}
		out[i] = Migration{Version: m.Version, Name: m.Name, SQL: strings.Join(stmts, ";\n") + ";\n"}
	}
	return out
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
