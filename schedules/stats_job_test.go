package schedules

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/infra/github"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestDryRunPrintsTheStats is `opsbot schedules run stats --dry-run` from
// config: the stats job is built in, its sections follow the audits config
// (GitHub configured, AWS not), its weeks the configured time zone, and a
// dry run prints the post and writes the chart without storing anything.
// The `stats` chat skill comes from the same config.
func TestDryRunPrintsTheStats(t *testing.T) {
	w := fresh(t)
	warehousetest.Truncate(t, w, "requests", "org_stats", "audit_findings", "audit_runs")
	week := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	warehousetest.InsertLines(t, w, loggen.Generate(loggen.Options{Start: week, Duration: 7 * 24 * time.Hour, Lines: 5_000}))
	cfg := testConfig(nil)
	cfg.Schedules.Stats.Timezone = "Europe/Paris"
	cfg.Audits.GitHub.Orgs = []string{"acme"}
	cfg.Audits.GitHub.TokenEnv = "OPSBOT_TEST_UNSET_TOKEN"
	cfg.Audits.GitHub.BaseURL = "http://127.0.0.1:1" // never called: no token
	t.Setenv("OPSBOT_TEST_UNSET_TOKEN", "")
	gh := github.New(github.Options{Orgs: cfg.Audits.GitHub.Orgs, TokenEnv: cfg.Audits.GitHub.TokenEnv, BaseURL: cfg.Audits.GitHub.BaseURL})
	s, err := New(Options{Config: cfg, Warehouse: w, Activity: gh}) // as cmd/opsbot's wire.go passes the audits' reader
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	dir := t.TempDir()
	if err := s.RunJob(context.Background(), "stats", week.AddDate(0, 0, 7).Add(8*time.Hour), true, &out, dir); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"would post to tech-audits", "Organization statistics, week of Mon 16 Nov 2026 (to Sun 22 Nov, CET)",
		"*Traffic*", "*Engineering*", "no infra-audit run recorded yet",
		"⚠ could not read GitHub activity: OPSBOT_TEST_UNSET_TOKEN is not set", "*opsbot itself*", "No history yet"} {
		if !strings.Contains(text, want) {
			t.Errorf("dry run lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "*Infrastructure*") {
		t.Errorf("no AWS account is configured, yet:\n%s", text)
	}
	if _, err := os.Stat(filepath.Join(dir, "org-stats.png")); err != nil {
		t.Errorf("chart: %v", err)
	}
	res, err := w.Query(context.Background(), "SELECT count() FROM org_stats", nil)
	if err != nil || res.Rows[0][0].(uint64) != 0 {
		t.Fatalf("a dry run stored figures: %v %v", res, err)
	}
	if cmds := s.StatsSkill().Commands(); len(cmds) != 1 || cmds[0].Name != "stats" || cmds[0].Role != opsbot.RoleReader {
		t.Errorf("stats skill: %+v", cmds)
	}
}
