package main_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCLIForPeople: version names the engine and the Go that built it;
// `sql --help` is help on stdout with exit 0; `schedules run` checks the
// job's name before printing a dry run's header and lists the jobs; a
// footer's duration is rounded for people.
func TestCLIForPeople(t *testing.T) {
	bin, dir := binary(t), t.TempDir()
	out, err := command(bin, dir, "version").Output()
	if err != nil || !strings.Contains(string(out), "chdb 26.5.3 (embedded ClickHouse)") || !regexp.MustCompile(`go: go1\.\d+`).Match(out) {
		t.Errorf("version: %v\n%s", err, out)
	}
	out, err = command(bin, dir, "sql", "--help").Output()
	if err != nil || !strings.HasPrefix(string(out), "usage: opsbot sql list") {
		t.Errorf("sql --help: %v, stdout:\n%s", err, out)
	}
	out, err = command(bin, dir, "--data", "d", "schedules", "run", "daily", "--dry-run").CombinedOutput()
	if err == nil || strings.Contains(string(out), "dry run of") || !strings.Contains(string(out), `no scheduled job "daily"; jobs: `) || !strings.Contains(string(out), "daily-analysis") {
		t.Errorf("schedules run daily --dry-run: %v\n%s", err, out)
	}
	out, err = command(bin, dir, "--data", "d", "sql", "run", "status").Output()
	if err != nil || !regexp.MustCompile(`rows scanned in (\d+ms|\d+(\.\d+)?s)\n$`).Match(out) {
		t.Errorf("sql run footer: %v\n%s", err, out)
	}
}

// TestMissingSecretDisablesOnlyWhatNeedsIt: a pager service and an edge
// whose secret variables are unset are disabled with a warning at start;
// commands that load the config keep working, and `page` on that service
// is refused (through the router) naming the variable to set.
func TestMissingSecretDisablesOnlyWhatNeedsIt(t *testing.T) {
	bin, dir := binary(t), t.TempDir()
	cfg := filepath.Join(dir, "opsbot.yaml")
	yaml := `slack: {terminal: {user: U0OPS}}
access: {operators: {users: [U0OPS]}}
pager: {services: {web: {provider: pagerduty, key_env: OPSBOT_PD_WEB}}}
edges: {fastly: [{name: cdn, service_id: svc1, acl_id: acl1, token_env: OPSBOT_TEST_FASTLY}]}
`
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	unset := []string{"OPSBOT_PD_WEB=", "OPSBOT_TEST_FASTLY="}
	for _, args := range [][]string{{"schedules", "list"}, {"schedules", "run", "health", "--dry-run"}} {
		c := command(bin, dir, append([]string{"--data", "d"}, args...)...)
		c.Env = append(c.Env, unset...)
		out, err := c.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "pager service disabled") || !strings.Contains(string(out), "edge disabled") {
			t.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	chat := command(bin, dir, "--data", "d", "chat")
	chat.Env = append(chat.Env, unset...)
	chat.Stdin = strings.NewReader("page web the site is down\n")
	out, err := chat.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "the pager service web is disabled: OPSBOT_PD_WEB is not set") {
		t.Errorf("page web: %v\n%s", err, out)
	}
}
