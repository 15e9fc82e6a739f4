package main

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
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
