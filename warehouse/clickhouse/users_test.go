package clickhouse_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/warehouse/clickhouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestServerUsers sets up the two users README's Security section
// describes and checks what each can do: the analysts' user reads the
// requests table only, read-only; opsbot's own user appends to the audit
// log but cannot delete from it. It needs OPSBOT_TEST_CLICKHOUSE with a
// user that may create users and grant.
func TestServerUsers(t *testing.T) {
	dsn := warehousetest.ServerDSN()
	if dsn == "" {
		t.Skip("skipped: set OPSBOT_TEST_CLICKHOUSE=clickhouse://admin:pass@host:9000/opsbot_test to run the server users test")
	}
	ctx := context.Background()
	admin, err := clickhouse.Open(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := warehousetest.MigrateAll(ctx, admin); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := strings.Trim(u.Path, "/")
	for _, s := range usersSQL(db) {
		if err := admin.Exec(ctx, s, nil); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	t.Cleanup(func() {
		admin.Exec(ctx, "DROP USER IF EXISTS opsbot_t_bot, opsbot_t_analyst", nil)
		admin.Exec(ctx, "DROP SETTINGS PROFILE IF EXISTS opsbot_t_analyst", nil)
	})
	analyst := openAs(t, u, "opsbot_t_analyst")
	bot := openAs(t, u, "opsbot_t_bot")
	mustRun(t, analyst, "SELECT count() FROM requests", true)
	mustRun(t, analyst, "SELECT count() FROM audit_log", false)
	mustRun(t, analyst, "SELECT count() FROM opsbot_secrets.totp_secrets", false)
	mustRun(t, analyst, "INSERT INTO requests (path) VALUES ('/x')", false)
	mustRun(t, bot, "INSERT INTO audit_log (user_id, text) VALUES ('UTEST', 'users test')", true)
	mustRun(t, bot, "ALTER TABLE audit_log DELETE WHERE user_id = 'UTEST'", false)
	mustRun(t, bot, "TRUNCATE TABLE audit_log", false)
}

// usersSQL is README's set-up, in the test database.
func usersSQL(db string) []string {
	return []string{
		"DROP USER IF EXISTS opsbot_t_bot, opsbot_t_analyst",
		"CREATE USER opsbot_t_bot IDENTIFIED WITH plaintext_password BY 'bot-pass'",
		"GRANT SELECT, INSERT ON " + db + ".* TO opsbot_t_bot",
		"GRANT SELECT, INSERT ON opsbot_secrets.* TO opsbot_t_bot",
		"CREATE SETTINGS PROFILE OR REPLACE opsbot_t_analyst SETTINGS readonly = 1, max_execution_time = 30, max_memory_usage = 1073741824",
		"CREATE USER opsbot_t_analyst IDENTIFIED WITH plaintext_password BY 'analyst-pass' SETTINGS PROFILE 'opsbot_t_analyst'",
		"GRANT SELECT ON " + db + ".requests TO opsbot_t_analyst",
	}
}

func openAs(t *testing.T, u *url.URL, user string) *clickhouse.Warehouse {
	t.Helper()
	c := *u
	c.User = url.UserPassword(user, strings.TrimPrefix(user, "opsbot_t_")+"-pass")
	w, err := clickhouse.Open(context.Background(), c.String(), "")
	if err != nil {
		t.Fatalf("open as %s: %v", user, err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func mustRun(t *testing.T, w *clickhouse.Warehouse, stmt string, allowed bool) {
	t.Helper()
	err := w.Exec(context.Background(), stmt, nil)
	if allowed && err != nil {
		t.Errorf("%s: %v, want it allowed", stmt, err)
	}
	if !allowed && err == nil {
		t.Errorf("%s ran, want it refused", stmt)
	}
}
