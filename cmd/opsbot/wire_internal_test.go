package main

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/infra/aws"
	"github.com/opsbot/opsbot/internal/ipc"
)

// TestLocalReaderOnlyOnAnEmbeddedFolder: the OS user owning an embedded
// data folder reads by default, and nothing more; a ClickHouse server
// gives nobody a role; the config itself is left as it was.
func TestLocalReaderOnlyOnAnEmbeddedFolder(t *testing.T) {
	me := ipc.Local(os.Getuid())
	c := config.Default()
	c.Data = t.TempDir()
	roles := access.NewRoles(withLocalReader(c).Access)
	if r := roles.Role(context.Background(), me, ""); r != opsbot.RoleReader {
		t.Errorf("%s on an embedded folder of their own: %s, want reader", me.ID, r)
	}
	if slices.Contains(c.Access.Readers.Users, me.ID) {
		t.Error("withLocalReader changed the config it was given")
	}
	c.ClickHouse = "clickhouse://opsbot@ch:9000/opsbot"
	roles = access.NewRoles(withLocalReader(c).Access)
	if r := roles.Role(context.Background(), me, ""); r != opsbot.RoleNone {
		t.Errorf("%s on a ClickHouse server: %s, want none", me.ID, r)
	}
}

// TestCostsOnlyWhenEnabled: the Cost Explorer reader is built only when
// schedules.stats.cost_explorer is on and there are accounts to read
// through; otherwise the statistics get a nil interface (no call).
func TestCostsOnlyWhenEnabled(t *testing.T) {
	c := config.Default()
	if err := config.Decode([]byte("audits: {accounts: [{name: prod, regions: [us-east-1]}]}"), c); err != nil {
		t.Fatal(err)
	}
	src := auditSources(c.Audits, func(string) string { return "" })
	if got := src.costs(c.Schedules.Stats); got != nil {
		t.Errorf("cost_explorer off by default, got a reader %T", got)
	}
	c.Schedules.Stats.CostExplorer = true
	if got, ok := src.costs(c.Schedules.Stats).(*aws.Accounts); !ok || got != src.aws {
		t.Errorf("cost_explorer on: %T, want the audited accounts", got)
	}
	if got := auditSources(config.Audits{}, nil).costs(c.Schedules.Stats); got != nil {
		t.Errorf("no accounts: %T", got)
	}
}
