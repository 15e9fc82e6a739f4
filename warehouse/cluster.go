package warehouse

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	createTable = regexp.MustCompile(`(?i)^(\s*(?:--[^\n]*\n\s*)*)CREATE TABLE IF NOT EXISTS (\w+)`)
	mergeEngine = regexp.MustCompile(`(?i)ENGINE\s*=\s*(\w*)MergeTree(\(([^)]*)\))?`)
	alterTable  = regexp.MustCompile(`(?i)^(\s*(?:--[^\n]*\n\s*)*)ALTER TABLE (\w+)`)
	alterColumn = regexp.MustCompile(`(?i)\b(ADD|DROP|MODIFY|RENAME|COMMENT) COLUMN\b`)
)

// ClusterStatements renders one schema statement for a ClickHouse cluster:
// a CREATE TABLE becomes NAME_local ON CLUSTER with the Replicated variant of
// its engine, plus a Distributed table NAME over it, so that queries keep
// using the plain names; an ALTER TABLE targets NAME_local ON CLUSTER, and
// when it changes columns, the Distributed NAME as well.
func ClusterStatements(stmt, cluster string) []string {
	on := " ON CLUSTER " + quoteIdent(cluster)
	if m := createTable.FindStringSubmatch(stmt); m != nil {
		name := m[2]
		local := createTable.ReplaceAllString(stmt, "${1}CREATE TABLE IF NOT EXISTS "+name+"_local"+on)
		local = mergeEngine.ReplaceAllStringFunc(local, func(e string) string {
			p := mergeEngine.FindStringSubmatch(e)
			args := fmt.Sprintf("'/clickhouse/tables/{shard}/{database}/%s_local', '{replica}'", name)
			if strings.TrimSpace(p[3]) != "" {
				args += ", " + p[3]
			}
			return fmt.Sprintf("ENGINE = Replicated%sMergeTree(%s)", p[1], args)
		})
		dist := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s%s AS %s_local ENGINE = Distributed(%s, currentDatabase(), %s_local, rand())",
			name, on, name, quoteString(cluster), name)
		return []string{local, dist}
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
