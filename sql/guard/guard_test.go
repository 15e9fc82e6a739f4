package guard_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/sql/guard"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

func newGuard(t testing.TB) (*guard.Guard, warehouse.Warehouse) {
	t.Helper()
	w := warehousetest.Embedded(t)
	g, err := guard.New(context.Background(), w, []string{"requests"})
	if err != nil {
		t.Fatal(err)
	}
	return g, w
}

// accepted are statements an analyst writes; each must pass and its
// canonical form must run on the engine.
var accepted = []string{
	"SELECT 1",
	"select status, count() from requests group by status;",
	"SELECT status, count() AS n, countIf(status >= 500) FROM requests WHERE ts > now() - INTERVAL 1 HOUR GROUP BY status ORDER BY n DESC LIMIT 5",
	"WITH 5 AS n SELECT n",
	"WITH recent AS (SELECT client_ip, status FROM requests WHERE ts > now() - INTERVAL 1 DAY) SELECT client_ip, count() FROM recent GROUP BY client_ip",
	"SELECT 'a;b; DROP TABLE x' AS s -- trailing; comment",
	"SELECT `insert` FROM (SELECT 1 AS `insert`)",
	"(SELECT 1) UNION ALL (SELECT 2)",
	"SELECT 1 INTERSECT SELECT 1",
	"SELECT quantile(0.95)(time_taken), quantilesTiming(0.5, 0.9)(toUInt32(time_taken * 1000)), uniqExact(client_ip), topK(3)(path) FROM requests",
	"SELECT COUNT(*), SUM(bytes_out), lcase(path), substr(path, 1, 3) FROM requests GROUP BY path",
	"SELECT path, row_number() OVER (PARTITION BY status ORDER BY ts) FROM requests LIMIT 3",
	"SELECT arrayMap(x -> x * 2, [1, 2, 3]), toStartOfHour(now()), IPv4NumToString(1), domain('https://a.b/c')",
	"SELECT * FROM requests WHERE client_ip IN (SELECT client_ip FROM requests WHERE status = 404) LIMIT 1",
	"SELECT r.path FROM requests AS r INNER JOIN (SELECT path FROM requests LIMIT 2) AS s ON r.path = s.path LIMIT 1",
	"SELECT sumIf(bytes_out, status = 200), avgArray([1, 2]), countDistinct(path) FROM requests",
	"SELECT $$it's$$ AS s, CASE WHEN 1 THEN 'a' END, 1::UInt8, EXISTS (SELECT 1 FROM requests)",
}

func TestAccepts(t *testing.T) {
	g, w := newGuard(t)
	ctx := context.Background()
	for _, s := range accepted {
		canon, err := g.Check(ctx, s)
		if err != nil {
			t.Errorf("%q refused: %v", s, err)
			continue
		}
		if _, err := w.Query(ctx, canon, nil, warehouse.ReadOnly()); err != nil {
			t.Errorf("%q: canonical %q does not run: %v", s, canon, err)
		}
	}
}

// refused pairs an attack with what the refusal must name.
var refused = map[string]string{
	"":                              "usage",
	"SELECT 1; SELECT 2":            "one statement only",
	"SELECT 1; DROP TABLE requests": "one statement only",
	"SELECT '/*' AS a, file('/etc/hostname') AS f, '*/' AS b":           "file()",
	"SELECT `file`('/etc/hostname')":                                    "file()",
	"SELECT $$x$$, file('/proc/self/environ')":                          "file()",
	"SELECT * FROM file('/etc/passwd', LineAsString)":                   "table function file()",
	"SELECT * FROM url('http://127.0.0.1/', CSV, 'a String')":           "table function url()",
	"SELECT * FROM remote('127.0.0.1', system.one)":                     "table function remote()",
	"SELECT * FROM numbers(10)":                                         "table function numbers()",
	"SELECT 1 INTO OUTFILE '/tmp/x' APPEND":                             "INTO OUTFILE",
	"SELECT 1 FORMAT JSON":                                              "FORMAT",
	"SELECT 1 SETTINGS readonly = 0":                                    "SETTINGS",
	"SELECT '/*'; ALTER TABLE audit_log DELETE WHERE 1; SELECT 1 -- */": "one statement only",
	"SELECT '/*'; SET readonly = 1; SELECT 1 -- */":                     "one statement only",
	"SELECT 1\x00 SETTINGS readonly=0":                                  "U+0000",
	"SELECT 1 /* \x1b[31m */":                                           "U+001B",
	"SELECT '\u202e' AS s":                                              "U+202E",
	"INSERT INTO requests SELECT * FROM requests":                       "only SELECT",
	"ALTER TABLE audit_log DELETE WHERE 1":                              "only SELECT",
	"SYSTEM SHUTDOWN":                                                   "only SELECT",
	"SET readonly = 0":                                                  "only SELECT",
	"SELECT * FROM opsbot_secrets.totp_secrets":                         "cannot read opsbot_secrets.totp_secrets",
	"SELECT * FROM audit_log":                                           "cannot read audit_log",
	"SELECT * FROM bans":                                                "cannot read bans",
	"SELECT * FROM system.tables":                                       "cannot read system.tables",
	"SELECT * FROM default.bans":                                        "cannot read default.bans",
	"SELECT (SELECT any(secret_enc) FROM opsbot_secrets.totp_secrets)":  "cannot read opsbot_secrets.totp_secrets",
	"SELECT 1 WHERE 'x' IN audit_log":                                   "cannot read audit_log",
	"SELECT 1 WHERE 'x' IN opsbot_secrets.totp_secrets":                 "cannot read opsbot_secrets.totp_secrets",
	"WITH bans AS (SELECT 1) SELECT * FROM bans":                        "cannot read bans",
	"SELECT getSetting('readonly')":                                     "getSetting()",
	"SELECT dictGet('d', 'x', 1)":                                       "dictGet()",
	"SELECT joinGet('t', 'x', 1)":                                       "joinGet()",
	"SELECT sleep(3)":                                                   "sleep()",
	"SELECT currentUser()":                                              "currentUser()",
	"SELECT {p:String}":                                                 "query parameters",
	"SELECT `a\\nb` FROM requests":                                      "syntax tree",
	"SELECT 1 AS `x (children 3)`":                                      "not a plain name",
	"SELECT * APPLY(sum) FROM requests":                                 "does not allow",
	"SELECT aiGenerate('x')":                                            "aiGenerate()",
	"SELECT chdb('SELECT 1')":                                           "chdb()",
}

func TestRefuses(t *testing.T) {
	g, _ := newGuard(t)
	for stmt, want := range refused {
		_, err := g.Check(context.Background(), stmt)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error naming %q", stmt, err, want)
			continue
		}
		if !errors.Is(err, opsbot.ErrForbidden) && !errors.Is(err, opsbot.ErrInvalid) {
			t.Errorf("%q: %v is neither forbidden nor invalid", stmt, err)
		}
	}
}

func TestLongStatementRefused(t *testing.T) {
	g, _ := newGuard(t)
	long := "SELECT " + strings.Repeat("1+", guard.MaxLen) + "1"
	if _, err := g.Check(context.Background(), long); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("long: %v", err)
	}
}

// The vetted list names only the engine's functions: a typo or a name a
// new engine dropped fails here rather than silently allowing nothing.
func TestVettedFunctionsExist(t *testing.T) {
	w := warehousetest.Embedded(t)
	res, err := w.Query(context.Background(), "SELECT name FROM system.functions", nil)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, r := range res.Rows {
		have[r[0].(string)] = true
	}
	for _, n := range guard.Vetted() {
		if !have[n] {
			t.Errorf("vetted function %s is not in the engine's catalog", n)
		}
	}
}
