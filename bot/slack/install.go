package slack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// install is the workspace(s), Enterprise Grid org and app whose deliveries
// opsbot acts on. A delivery naming another one is refused: an app token or
// signing secret shared with a second app, the same app installed in
// another workspace, or an org-wide install would otherwise reach the
// router with users opsbot has never seen.
type install struct {
	teams      []string
	enterprise string // "": not in a Grid org, so a delivery naming one is refused
	app        string
}

// delivery is whom an event, slash command or button press says it is for.
type delivery struct{ team, enterprise, app string }

func eventDelivery(ev slackevents.EventsAPIEvent) delivery {
	return delivery{team: ev.TeamID, enterprise: ev.EnterpriseID, app: ev.APIAppID}
}

func slashDelivery(c slack.SlashCommand) delivery {
	return delivery{team: c.TeamID, enterprise: c.EnterpriseID, app: c.APIAppID}
}

func actionDelivery(cb slack.InteractionCallback) delivery {
	return delivery{team: cb.Team.ID, enterprise: cb.Enterprise.ID, app: cb.APIAppID}
}

// admit says why d is not for this install, or nil when it is.
func (in install) admit(d delivery) error {
	switch {
	case !slices.Contains(in.teams, d.team):
		return fmt.Errorf("team_id %q is not %s (slack.team_id)", d.team, strings.Join(in.teams, " or "))
	case d.enterprise != in.enterprise:
		return fmt.Errorf("enterprise_id %q is not %q (slack.enterprise_id)", d.enterprise, in.enterprise)
	case d.app != in.app:
		return fmt.Errorf("api_app_id %q is not %q (slack.app_id)", d.app, in.app)
	}
	return nil
}

// refused logs and reports a delivery that is not for this install; the
// caller drops it without acting on it or answering it.
func (a *App) refused(transport, kind string, d delivery) bool {
	err := a.install.admit(d)
	if err != nil {
		a.log.Warn("slack: refused a delivery for another workspace or app", "transport", transport, "kind", kind, "reason", err)
	}
	return err != nil
}

// identify fills what the options leave empty from the bot token: the bot's
// user ID, workspace and Grid org from auth.test, the app from bots.info.
// Learning them is the default so that deliveries are checked with no
// configuration at all; slack.team_id, slack.enterprise_id and slack.app_id
// override it (e.g. to accept several workspaces of one org).
func (a *App) identify(ctx context.Context) error {
	var r *slack.AuthTestResponse
	if err := a.call.do(ctx, "auth.test", func() (err error) {
		r, err = a.api.AuthTestContext(ctx)
		return err
	}); err != nil {
		return err
	}
	o := &a.opts
	o.BotUserID = firstOf(o.BotUserID, r.UserID)
	if len(o.TeamIDs) == 0 {
		o.TeamIDs = []string{r.TeamID}
	}
	o.EnterpriseID = firstOf(o.EnterpriseID, r.EnterpriseID)
	if o.AppID == "" {
		app, err := a.appOf(ctx, r.BotID)
		if err != nil {
			return err
		}
		o.AppID = app
	}
	a.install = install{teams: o.TeamIDs, enterprise: o.EnterpriseID, app: o.AppID}
	return nil
}

// appOf is the app of a bot user, from bots.info (scope users:read).
func (a *App) appOf(ctx context.Context, botID string) (string, error) {
	if botID == "" {
		return "", errors.New("auth.test names no bot: SLACK_BOT_TOKEN must be a bot token (xoxb-), or set slack.app_id")
	}
	var b *slack.Bot
	if err := a.call.do(ctx, "bots.info", func() (err error) {
		b, err = a.api.GetBotInfoContext(ctx, slack.GetBotInfoParameters{Bot: botID})
		return err
	}); err != nil {
		return "", fmt.Errorf("bots.info (to learn the app ID; grant users:read or set slack.app_id): %w", err)
	}
	if b.AppID == "" {
		return "", fmt.Errorf("bots.info names no app for bot %s: set slack.app_id", botID)
	}
	return b.AppID, nil
}
