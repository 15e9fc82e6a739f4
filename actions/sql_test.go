package actions_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
)

func TestCheckSelect(t *testing.T) {
	for _, ok := range []string{
		"SELECT 1",
		"select status, count() from requests group by status;",
		"WITH 5 AS n SELECT n",
		"SELECT 'a;b; DROP TABLE x' AS s -- trailing; comment",
		"SELECT `insert` FROM (SELECT 1 AS `insert`)",
		"(SELECT 1) UNION ALL (SELECT 2)",
	} {
		if err := actions.CheckSelect(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for stmt, want := range map[string]string{
		"":                              "usage",
		"SELECT 1; SELECT 2":            "one statement only",
		"SELECT 1; DROP TABLE requests": "one statement only",
		"INSERT INTO requests SELECT * FROM requests": "only SELECT is allowed",
		"SYSTEM SHUTDOWN":                                  "only SELECT is allowed",
		"DROP TABLE requests":                              "only SELECT is allowed",
		"SET readonly = 0":                                 "only SELECT is allowed",
		"SELECT 1 SETTINGS readonly = 0":                   "SETTINGS is not allowed",
		"SELECT * FROM url('http://x/', CSV, 'a String')":  "url() reaches outside",
		"SELECT * FROM file('/etc/passwd', LineAsString)":  "file() reaches outside",
		"SELECT * FROM remote('h', system.one)":            "remote() reaches outside",
		"SELECT 1 INTO OUTFILE '/tmp/x'":                   "INTO OUTFILE is not allowed",
		"/* SELECT */ ALTER TABLE requests DELETE WHERE 1": "only SELECT is allowed",
	} {
		err := actions.CheckSelect(stmt)
		if err == nil || !strings.Contains(err.Error(), want) || !(errors.Is(err, opsbot.ErrForbidden) || errors.Is(err, opsbot.ErrInvalid)) {
			t.Errorf("%q: %v, want %q", stmt, err, want)
		}
	}
}

func TestSQLForAnalystsOnly(t *testing.T) {
	wd := newWorld(t, nil, nil)
	r := wd.say(ana, "sql SELECT number * 2 AS n FROM system.numbers LIMIT 5000", false)
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
	// readonly=1 holds even for what the checker lets through
	if r := wd.say(ana, "sql SELECT * FROM numbers(3) WHERE throwIf(0)", false); r.Ephemeral {
		t.Errorf("plain select refused: %+v", r)
	}
}
