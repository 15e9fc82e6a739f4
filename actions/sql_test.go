package actions_test

import (
	"strings"
	"testing"

	"github.com/opsbot/opsbot/config"
)

func TestSQLForAnalystsOnly(t *testing.T) {
	wd := newWorld(t, nil, nil)
	r := wd.say(ana, "sql SELECT x * 2 AS n FROM (SELECT arrayJoin(range(5000)) AS x)", false)
	if r.Ephemeral || r.Table == nil || len(r.Table.Rows) != 1000 || !strings.Contains(r.Context, "cut at the limit") {
		t.Fatalf("analyst: %+v", r)
	}
	if r.Table.Rows[3][0] != uint64(6) && r.Table.Rows[3][0] != int64(6) {
		t.Errorf("row 3 = %v", r.Table.Rows[3])
	}
	if r := wd.say(ana, "sql INSERT INTO audit_log (user_id) VALUES ('x')", false); !r.Ephemeral || !strings.Contains(r.Text, "Only SELECT") {
		t.Errorf("insert: %+v", r)
	}
	if r := wd.say(rob, "sql SELECT 1", false); !r.Ephemeral || !strings.Contains(r.Text, "needs the analyst role") {
		t.Errorf("reader: %+v", r)
	}
}

// The measured escapes of the text-stripping check, each through the
// router as an analyst: refused, and nothing they tried took effect.
func TestSQLEscapesRefused(t *testing.T) {
	wd := newWorld(t, nil, nil)
	wd.say(alice, "audit", false) // one audit row to lose
	before := countRows(t, wd, "audit_log")
	for stmt, want := range map[string]string{
		"SELECT '/*' AS a, file('/etc/hostname') AS f, '*/' AS b": "file()",
		"SELECT `file`('/etc/hostname')":                          "file()",
		"SELECT $$ /* $$, file('/proc/self/environ'), $$ */ $$":   "file()",
		"SELECT 1 INTO OUTFILE '/tmp/opsbot-x' APPEND":            "INTO OUTFILE",
		"SELECT '/*'; ALTER TABLE audit_log DELETE WHERE 1; INSERT INTO audit_log (user_id) VALUES ('forged'); CREATE TABLE t (x UInt8) ENGINE = Memory; SELECT 1 -- */": "ne statement only",
		"SELECT '/*'; SET readonly = 1; SELECT 1 -- */": "ne statement only",
		"SELECT 1\x00 SETTINGS readonly = 0":            "U+0000",
		"SELECT * FROM opsbot_secrets.totp_secrets":     "cannot read opsbot_secrets.totp_secrets",
		"SELECT * FROM system.processes":                "cannot read system.processes",
	} {
		r := wd.say(ana, "sql "+stmt, false)
		if !r.Ephemeral || !strings.Contains(r.Text, want) {
			t.Errorf("%q: %+v, want a refusal naming %q", stmt, r, want)
		}
	}
	if got := countRows(t, wd, "audit_log"); got < before {
		t.Errorf("audit_log lost rows: %d → %d", before, got)
	}
	// the shared engine session is still writable: phrases and audit work
	if r := wd.say(ana, "sql SELECT count() FROM requests", false); r.Ephemeral {
		t.Errorf("after the attempts: %+v", r)
	}
}

// Limits reach the engine as its settings: a statement over the memory
// limit fails in the engine, an answer over the size limit is cut.
func TestSQLLimits(t *testing.T) {
	wd := newWorld(t, func(c *config.Config) { c.Query.SQL.MaxMemoryMB = 64 }, nil)
	r := wd.say(ana, "sql SELECT length(groupArray(x)) FROM (SELECT arrayJoin(range(150000000)) AS x)", false)
	if !r.Ephemeral || !strings.Contains(r.Text, "MEMORY_LIMIT_EXCEEDED") {
		t.Errorf("memory: %+v", r)
	}
	wd = newWorld(t, func(c *config.Config) { c.Query.SQL.MaxResultMB = 1 }, nil)
	r = wd.say(ana, "sql SELECT repeat('x', 100000) AS s, n FROM (SELECT arrayJoin(range(200)) AS n)", false)
	if r.Ephemeral || r.Table == nil || len(r.Table.Rows) >= 200 || !strings.Contains(r.Context, "cut at the limit") {
		t.Fatalf("size: %s %s", r.Text, r.Context)
	}
	if size := len(r.Table.Rows) * 100000; size > 1<<20 {
		t.Errorf("answer holds %d bytes, limit 1 MiB", size)
	}
}

func countRows(t *testing.T, wd *world, table string) uint64 {
	t.Helper()
	res, err := embedded(t).Query(t.Context(), "SELECT count() FROM "+table, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows[0][0].(uint64)
}
