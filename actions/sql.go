package actions

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/warehouse"
)

// SQL answers `sql SELECT …` for analysts: one SELECT (or WITH … SELECT),
// run with readonly=1, a time limit and a row limit.
type SQL struct {
	W          warehouse.Warehouse
	MaxSeconds int    // default 30
	MaxRows    uint64 // default 1000
}

var _ bot.Skill = (*SQL)(nil)

// Commands lists `sql`.
func (q *SQL) Commands() []bot.Command {
	return []bot.Command{{Name: "sql", Usage: "sql SELECT …", Role: opsbot.RoleAnalyst,
		Summary:  "run one read-only SELECT (readonly=1, with time and row limits)",
		Examples: []string{"sql SELECT status, count() FROM requests WHERE ts > now() - INTERVAL 1 HOUR GROUP BY status"}}}
}

// Handle runs the statement after CheckSelect accepts it.
func (q *SQL) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	stmt := strings.TrimSpace(req.Text)
	stmt = strings.TrimSpace(stmt[min(len(stmt), 3):]) // "sql"
	stmt = strings.Trim(stmt, "`")
	if err := CheckSelect(stmt); err != nil {
		return refuse(ctx, "sql", err), nil
	}
	secs, rows := q.MaxSeconds, q.MaxRows
	if secs == 0 {
		secs = 30
	}
	if rows == 0 {
		rows = 1000
	}
	res, err := q.W.Query(ctx, strings.TrimSuffix(strings.TrimSpace(stmt), ";"), nil, warehouse.ReadOnly(), warehouse.Timeout(secs), warehouse.MaxRows(rows))
	if err != nil {
		return ephemeral("The query failed: %v", err), nil
	}
	cut := ""
	if uint64(len(res.Rows)) > rows {
		res.Rows, cut = res.Rows[:rows], " (cut at the limit: add LIMIT or narrow the query)"
	}
	ctxLine := fmt.Sprintf("%d rows%s · %d rows read · %s · read-only, at most %ds", len(res.Rows), cut, res.Stats.RowsRead, res.Stats.Elapsed.Round(1e6), secs)
	return &opsbot.Reply{Title: "sql", Table: res, Context: ctxLine}, nil
}

var (
	lineComment  = regexp.MustCompile(`--[^\n]*|#[^\n]*`)
	blockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	literals     = regexp.MustCompile(`'(?:[^'\\]|\\.|'')*'`)
	quotedIdent  = regexp.MustCompile("`[^`]*`|\"[^\"]*\"")
	firstWord    = regexp.MustCompile(`^\(*\s*([A-Za-z]+)`)
	forbidden    = regexp.MustCompile(`(?i)\b(INTO\s+OUTFILE|SETTINGS)\b`)
	tableFuncs   = regexp.MustCompile(`(?i)\b(file|url|urlCluster|s3|s3Cluster|gcs|azureBlobStorage|azureBlobStorageCluster|hdfs|hdfsCluster|remote|remoteSecure|cluster|clusterAllReplicas|mysql|postgresql|mongodb|redis|sqlite|odbc|jdbc|executable|input|deltaLake|iceberg|hudi|fileCluster|dictionary)\s*\(`)
)

// CheckSelect accepts exactly one SELECT statement (WITH … SELECT too) and
// refuses anything else, naming what it found: several statements, writes,
// SYSTEM and SET, settings overrides, and table functions that reach
// outside the warehouse.
func CheckSelect(stmt string) error {
	s := blockComment.ReplaceAllString(stmt, " ")
	s = literals.ReplaceAllString(s, "''")
	s = quotedIdent.ReplaceAllString(s, "x")
	s = lineComment.ReplaceAllString(s, " ")
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, ";"))
	if s == "" {
		return fmt.Errorf("%w: usage: `sql SELECT …`", opsbot.ErrInvalid)
	}
	if strings.Contains(s, ";") {
		return fmt.Errorf("%w: one statement only: remove the `;` between statements", opsbot.ErrInvalid)
	}
	m := firstWord.FindStringSubmatch(s)
	if m == nil || (!strings.EqualFold(m[1], "SELECT") && !strings.EqualFold(m[1], "WITH")) {
		return fmt.Errorf("%w: only SELECT is allowed, got %q", opsbot.ErrForbidden, strings.Fields(s)[0])
	}
	if w := forbidden.FindString(s); w != "" {
		return fmt.Errorf("%w: %s is not allowed in `sql`: it runs one read-only SELECT", opsbot.ErrForbidden, strings.ToUpper(w))
	}
	if f := tableFuncs.FindStringSubmatch(s); f != nil {
		return fmt.Errorf("%w: the table function %s() reaches outside the warehouse and is not allowed", opsbot.ErrForbidden, f[1])
	}
	return nil
}
