package slack

import (
	"context"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// groups knows which user groups (S… IDs) each user belongs to, from
// usergroups.list, refreshed every few minutes: roles can be given to a
// group in config (access).
type groups struct {
	mu     sync.Mutex
	byUser map[string][]string
	at     time.Time
}

const groupsTTL = 5 * time.Minute

// groupsOf returns the user's groups; when Slack can't tell (a missing
// scope, an outage) it returns the last known answer, or none.
func (a *App) groupsOf(ctx context.Context, user string) []string {
	g := &a.groups
	g.mu.Lock()
	defer g.mu.Unlock()
	now := a.opts.Clock.Now()
	if g.byUser == nil || now.Sub(g.at) > groupsTTL {
		var list []slack.UserGroup
		err := a.call.do(ctx, "usergroups.list", func() (err error) {
			list, err = a.api.GetUserGroupsContext(ctx, slack.GetUserGroupsOptionIncludeUsers(true))
			return err
		})
		if err != nil {
			a.log.Warn("slack: usergroups.list failed; roles by group use the last known members", "err", err)
		} else {
			g.byUser = map[string][]string{}
			for _, ug := range list {
				for _, u := range ug.Users {
					g.byUser[u] = append(g.byUser[u], ug.ID)
				}
			}
		}
		g.at = now // failures are retried after the TTL too, not on every message
	}
	return g.byUser[user]
}
