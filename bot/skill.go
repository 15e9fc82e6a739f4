// Package bot is the conversation core that every transport (Slack, the
// terminal chat) shares: it strips the trigger ("opsbot", a mention), routes
// a command by its first word to the Skill that answers it, checks the
// asker's role, audits the attempt and renders help. Transports turn their
// events into an opsbot.Request and render the opsbot.Reply.
package bot

import (
	"context"

	"github.com/opsbot/opsbot"
)

// Skill answers a family of commands (the query phrases, ban/unban, page,
// silences, infra audits …).
//
// Contract: Commands is constant for the life of the Skill. Handle is only
// called with a request whose first word is the Name of one of Commands,
// after the router checked that the asker holds that Command's Role. Handle
// never returns a nil Reply with a nil error. An error is for failures the
// asker can't fix (the engine is down); bad input is answered with an
// Ephemeral Reply that names what was wrong and suggests the right form.
// Handle is safe for concurrent use.
type Skill interface {
	Commands() []Command
	Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error)
}

// Command describes one command word for routing and for help.
type Command struct {
	Name     string      // first word: "top", "ban", "silence"
	Usage    string      // "ban IP|CIDR [for 24h] [reason]"
	Summary  string      // one line: what it answers or does
	Role     opsbot.Role // least role needed
	Write    bool        // changes something outside opsbot (an edge, a pager)
	Examples []string
}
