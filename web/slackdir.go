package web

import (
	"net"
	"time"

	"github.com/cenkalti/backoff/v4"

	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/opsbot/opsbot/internal/retry"

	"github.com/slack-go/slack"

	"github.com/opsbot/opsbot"
)

// SlackDirectory maps emails to Slack users with the Web API:
// users.lookupByEmail, users.info and usergroups.list (the bot token
// needs users:read, users:read.email and usergroups:read). A rate limit,
// a 5xx or a network error is tried again a few times within seconds
// (someone waits on the page); anything else fails at once.
type SlackDirectory struct {
	api     *slack.Client
	Backoff func() backoff.BackOff // nil: three more tries over about 3 s
}

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

// call runs f with the retries worth making.
func (d *SlackDirectory) call(ctx context.Context, f func() error) error {
	b := d.Backoff
	if b == nil {
		b = func() backoff.BackOff {
			e := backoff.NewExponentialBackOff()
			e.InitialInterval, e.MaxInterval = 500*time.Millisecond, 2*time.Second
			return backoff.WithMaxRetries(e, 3)
		}
	}
	return retry.Do(ctx, b(), func() (bool, error) {
		err := f()
		return retryable(err), err
	})
}

// retryable: a 429, a 5xx, Slack's own transient errors, the network.
func retryable(err error) bool {
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	var se slack.SlackErrorResponse
	var ne net.Error
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.As(err, &rl):
		return true
	case errors.As(err, &sc):
		return sc.Code >= 500 || sc.Code == http.StatusRequestTimeout
	case errors.As(err, &se):
		return se.Err == "internal_error" || se.Err == "fatal_error" || se.Err == "service_unavailable" || se.Err == "request_timeout"
	}
	return errors.As(err, &ne)
}

// UserByEmail is users.lookupByEmail, with the user's groups. A deleted
// account or a bot is not found.
func (d *SlackDirectory) UserByEmail(ctx context.Context, email string) (opsbot.User, error) {
	var u *slack.User
	err := d.call(ctx, func() (err error) { u, err = d.api.GetUserByEmailContext(ctx, email); return err })
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
	var u *slack.User
	err := d.call(ctx, func() (err error) { u, err = d.api.GetUserInfoContext(ctx, id); return err })
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
	var gs []slack.UserGroup
	err := d.call(ctx, func() (err error) {
		gs, err = d.api.GetUserGroupsContext(ctx, slack.GetUserGroupsOptionIncludeUsers(true))
		return err
	})
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
