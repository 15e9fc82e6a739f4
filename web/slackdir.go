package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/opsbot/opsbot"
)

// SlackDirectory maps emails to Slack users with the Web API:
// users.lookupByEmail, users.info and usergroups.list (the bot token
// needs users:read, users:read.email and usergroups:read).
type SlackDirectory struct{ api *slack.Client }

var _ Directory = (*SlackDirectory)(nil)

// NewSlackDirectory talks to apiURL ("" : https://slack.com/api/) with
// token.
func NewSlackDirectory(token, apiURL string, c *http.Client) *SlackDirectory {
	opts := []slack.Option{slack.OptionHTTPClient(c)}
	if apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	return &SlackDirectory{api: slack.New(token, opts...)}
}

// UserByEmail is users.lookupByEmail, with the user's groups. A deleted
// account or a bot is not found.
func (d *SlackDirectory) UserByEmail(ctx context.Context, email string) (opsbot.User, error) {
	u, err := d.api.GetUserByEmailContext(ctx, email)
	if err != nil {
		if strings.Contains(err.Error(), "users_not_found") {
			return opsbot.User{}, opsbot.NotFoundf("no Slack user has the email %s", email)
		}
		return opsbot.User{}, fmt.Errorf("slack users.lookupByEmail: %w", err)
	}
	if u.Deleted || u.IsBot {
		return opsbot.User{}, opsbot.NotFoundf("the Slack account of %s is deactivated or a bot", email)
	}
	groups, err := d.groupsOf(ctx, u.ID)
	if err != nil {
		return opsbot.User{}, err
	}
	return opsbot.User{ID: u.ID, Name: firstNonEmpty(u.Profile.DisplayName, u.RealName, u.Name), Groups: groups}, nil
}

// Email is users.info's profile email of id.
func (d *SlackDirectory) Email(ctx context.Context, id string) (string, error) {
	u, err := d.api.GetUserInfoContext(ctx, id)
	if err != nil {
		return "", fmt.Errorf("slack users.info: %w", err)
	}
	if u.Deleted || u.Profile.Email == "" {
		return "", errors.New("slack users.info: no email for " + id)
	}
	return u.Profile.Email, nil
}

// groupsOf are the user groups id belongs to (usergroups.list with users).
func (d *SlackDirectory) groupsOf(ctx context.Context, id string) ([]string, error) {
	gs, err := d.api.GetUserGroupsContext(ctx, slack.GetUserGroupsOptionIncludeUsers(true))
	if err != nil {
		return nil, fmt.Errorf("slack usergroups.list: %w", err)
	}
	var out []string
	for _, g := range gs {
		if slices.Contains(g.Users, id) {
			out = append(out, g.ID)
		}
	}
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
