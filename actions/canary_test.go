package actions_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbot/opsbot"
)

// attacks are statements an analyst might try to reach secrets with. {F}
// is a file holding a canary; {T} a table holding one.
var attacks = []string{
	"SELECT file('{F}')",
	"SELECT file('/proc/self/environ')",
	"SELECT `file`('{F}')",
	"SELECT \"file\"('{F}')",
	"SELECT FILE('{F}')",
	"SELECT fIlE('{F}')",
	"SELECT '/*' AS a, file('{F}') AS f, '*/' AS b",
	"SELECT $$/*$$, file('{F}'), $$*/$$",
	"SELECT $tag$/*$tag$, file('{F}') -- */",
	"SELECT 1 /* ' */, file('{F}') /* ' */",
	"SELECT 1 -- '\n, file('{F}')",
	"SELECT 1 # comment\n, file('{F}')",
	"SELECT (SELECT file('{F}'))",
	"SELECT arrayMap(x -> file(x), ['{F}'])",
	"WITH file('{F}') AS s SELECT s",
	"WITH (SELECT file('{F}')) AS s SELECT s",
	"SELECT * FROM file('{F}', 'LineAsString')",
	"SELECT * FROM file('/proc/self/environ', 'LineAsString')",
	"SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')",
	"SELECT * FROM s3('http://127.0.0.1:1/b/k', 'LineAsString')",
	"SELECT * FROM remote('127.0.0.1', default, {T})",
	"SELECT * FROM executable('cat {F}', 'LineAsString', 'x String')",
	"SELECT * FROM input('x String')",
	"SELECT * FROM merge('default', '.*')",
	"SELECT * FROM mysql('127.0.0.1:1', 'd', 't', 'u', 'p')",
	"SELECT * FROM {T}",
	"SELECT * FROM default.{T}",
	"SELECT * FROM `{T}`",
	"SELECT * FROM \"{T}\"",
	"SELECT * FROM `default`.`{T}`",
	"SELECT (SELECT groupArray(secret_enc) FROM {T})",
	"SELECT * FROM requests WHERE path IN (SELECT secret_enc FROM {T})",
	"SELECT 1 WHERE 'x' IN {T}",
	"SELECT * FROM requests AS r, {T} AS s LIMIT 1",
	"SELECT * FROM requests UNION ALL SELECT * FROM {T}",
	"SELECT 1 INTERSECT SELECT 1 FROM {T}",
	"WITH s AS (SELECT * FROM {T}) SELECT * FROM s",
	"SELECT * FROM (SELECT * FROM {T})",
	"SELECT * FROM system.tables",
	"SELECT * FROM system.processes",
	"SELECT * FROM system.query_log",
	"SELECT * FROM information_schema.tables",
	"SELECT joinGet('{T}', 'secret_enc', 'U')",
	"SELECT dictGet('{T}', 'secret_enc', 1)",
	"SELECT getSetting('readonly')",
	"SELECT getServerSetting('path')",
	"SELECT currentUser(), hostName(), version()",
	"SELECT 1; SELECT * FROM {T}",
	"SELECT '/*'; SELECT * FROM {T}; SELECT 1 -- */",
	"SELECT 1 SETTINGS readonly = 0",
	"SELECT 1 FORMAT JSON",
	"SELECT file('{F}') INTO OUTFILE '/tmp/opsbot-canary-out'",
	"SELECT 1 INTO OUTFILE '{F}' APPEND",
	"SELECT 1\x00; SELECT * FROM {T}",
	"SELECT 1 \u202e; SELECT * FROM {T}",
	"SELECT {p:String} FROM {T}",
	"SELECT `a\\nb` FROM {T}",
	"SELECT * APPLY(file) FROM requests",
	"SELECT chdb('SELECT * FROM {T}')",
	"SELECT aiGenerate('{F}')",
	"ＳＥＬＥＣＴ file('{F}')",
	"SELECT ﬁle('{F}')",
	"SELECT repeat(file('{F}'), 2)",
	"SELECT * FROM requests WHERE throwIf(1, file('{F}'))",
	"EXPLAIN SELECT * FROM {T}",
	"DESCRIBE TABLE {T}",
	"SHOW CREATE TABLE {T}",
	"SHOW TABLES",
	"SELECT * FROM generateRandom('x String')",
	"SELECT * FROM view(SELECT * FROM {T})",
}

// An analyst who tries every attack through the real router gets no
// canary back: not from the process environment, a file, or opsbot's
// secret, ban and audit tables.
func TestSQLCanaries(t *testing.T) {
	if len(attacks) < 50 {
		t.Fatalf("only %d attacks", len(attacks))
	}
	wd := newWorld(t, nil, nil)
	canaries := plantCanaries(t)
	file := filepath.Join(t.TempDir(), "canary.txt")
	if err := os.WriteFile(file, []byte(canaries[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := wd.say(ana, "sql SELECT 'probe-' || 'a1b2' AS p", false); !strings.Contains(replyText(r), "probe-a1b2") {
		t.Fatalf("a plain answer does not show its cells, so no leak could be seen: %+v", r)
	}
	for _, a := range attacks {
		for _, table := range []string{"opsbot_secrets.totp_secrets", "totp_secrets", "bans", "audit_log"} {
			stmt := strings.NewReplacer("{F}", file, "{T}", table).Replace(a)
			r := wd.say(ana, "sql "+stmt, false)
			for _, c := range canaries {
				if strings.Contains(replyText(r), c) {
					t.Errorf("%q leaked canary %s", stmt, c)
				}
			}
		}
	}
}

// plantCanaries puts one canary in the environment and one in each of the
// secret, ban and audit tables; the second is for a file.
func plantCanaries(t *testing.T) []string {
	t.Helper()
	cs := []string{"CANARY-ENV-7d1f", "CANARY-FILE-93ab", "CANARY-TOTP-5c2e", "CANARY-BAN-0e44", "CANARY-AUDIT-b81a"}
	t.Setenv("OPSBOT_CANARY", cs[0])
	w := embedded(t)
	for _, q := range []string{
		"INSERT INTO opsbot_secrets.totp_secrets (user_id, secret_enc, last_step, enrolled_at, version) VALUES ('UCANARY', '" + cs[2] + "', 0, now64(3), 1)",
		"INSERT INTO bans (edge, prefix, reason) VALUES ('fastly', '203.0.113.7/32', '" + cs[3] + "')",
		"INSERT INTO audit_log (user_id, text) VALUES ('UCANARY', '" + cs[4] + "')",
	} {
		if err := w.Exec(t.Context(), q, nil); err != nil {
			t.Fatal(err)
		}
	}
	return cs
}

// replyText is everything a reply shows: text, table cells and files.
func replyText(r *opsbot.Reply) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n%s\n", r.Title, r.Text, r.Context)
	if r.Table != nil {
		fmt.Fprint(&b, r.Table.Rows)
	}
	for _, f := range r.Files {
		b.Write(f.Data)
	}
	return b.String()
}
