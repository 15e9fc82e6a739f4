package config_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/opsbot/opsbot/config"
)

// TestStatsDefaults: the stats job runs Monday 08:00, org_stats is
// readable through sql by default and is not opsbot's state, and a bad
// schedules.stats field is named.
func TestStatsDefaults(t *testing.T) {
	c := config.Default()
	if got := c.Schedules.Jobs["stats"].Cron; got != "0 8 * * 1" {
		t.Errorf("stats cron %q", got)
	}
	if c.Schedules.Stats.CostExplorer {
		t.Error("cost_explorer is on by default: Cost Explorer calls are billed")
	}
	if tables := c.Query.SQLTables(); !slices.Contains(tables, "org_stats") || slices.Contains(config.StateTables, "org_stats") {
		t.Errorf("sql tables %v, state %v", tables, config.StateTables)
	}
	for y, field := range map[string]string{
		"schedules: {stats: {top: 99}}":             "schedules.stats.top",
		"schedules: {stats: {timezone: Mars/Base}}": "schedules.stats.timezone",
		"schedules: {stats: {cost_explorer: true}}": "schedules.stats.cost_explorer", // no audits.accounts
	} {
		c := config.Default()
		if err := config.Decode([]byte(y), c); err != nil {
			t.Fatal(err)
		}
		var fe *config.FieldError
		if err := c.Validate(); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: %v, want an error naming %s", y, err, field)
		}
	}
}

// TestStatsCostExplorerWithAccounts: cost_explorer reads through the
// audited accounts.
func TestStatsCostExplorerWithAccounts(t *testing.T) {
	c := config.Default()
	y := "schedules: {stats: {cost_explorer: true}}\naudits: {accounts: [{name: prod, regions: [us-east-1]}]}"
	if err := config.Decode([]byte(y), c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil || !c.Schedules.Stats.CostExplorer {
		t.Fatalf("valid %v, on %v", err, c.Schedules.Stats.CostExplorer)
	}
}
