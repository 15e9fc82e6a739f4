package main

import (
	"os"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/internal/ipc"
)

// TestSocketUserMapsOnlyServesOwnUser: slack.terminal.user in serve's
// config names serve's own OS user on the socket, as in `opsbot chat`;
// another OS user (root, who can open any socket) keeps its local identity.
func TestSocketUserMapsOnlyServesOwnUser(t *testing.T) {
	g := &globals{cfg: config.Default()}
	g.cfg.Slack.Terminal.User, g.cfg.Slack.Terminal.Name = "U0TERM", "term"
	id := socketUser(g)
	if u := id(ipc.Peer{UID: os.Getuid()}); u.ID != "U0TERM" || u.Name != "term" {
		t.Errorf("serve's own OS user is %+v; want U0TERM (term)", u)
	}
	other := os.Getuid() + 1
	if u := id(ipc.Peer{UID: other}); u.ID == "U0TERM" || !strings.HasPrefix(u.ID, "local:") {
		t.Errorf("uid %d is %+v; want its local identity", other, u)
	}
	g.cfg.Slack.Terminal.User, g.cfg.Slack.Terminal.Name = "", ""
	if u, want := id(ipc.Peer{UID: os.Getuid()}), ipc.Local(os.Getuid()); u.ID != want.ID || u.Name != want.Name || !strings.HasPrefix(u.ID, "local:") {
		t.Errorf("without slack.terminal.user, serve's own OS user is %+v; want %+v", u, want)
	}
}
