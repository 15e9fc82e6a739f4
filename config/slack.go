package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Slack is the `slack:` section: how opsbot talks to Slack and where it
// posts. Tokens come from the environment only: SLACK_BOT_TOKEN (xoxb-),
// SLACK_APP_TOKEN (xapp-, Socket Mode) and SLACK_SIGNING_SECRET (HTTP mode).
type Slack struct {
	// Mode is how Slack reaches opsbot: "socket" (Socket Mode, no public
	// URL; the default) or "http" (Events API and slash command endpoints).
	Mode string `yaml:"mode"`
	// Listen is gone: in http mode the endpoints are served on
	// `opsbot serve --listen`. The key is an error that says so.
	Listen removedListen `yaml:"listen"`
	// PathPrefix is where the HTTP endpoints live: PREFIX/events,
	// PREFIX/commands and PREFIX/actions (default "/slack").
	PathPrefix string `yaml:"path_prefix"`
	// APIURL is the Slack Web API base URL every call goes to, Socket
	// Mode's apps.connections.open and file uploads included (default
	// https://slack.com/api/; GovSlack is https://slack-gov.com/api/; or a
	// proxy). It is https (http only for a loopback host, for tests) and
	// ends in /api/; a missing final slash is added.
	APIURL string `yaml:"api_url"`
	// ReplyInThread answers a question asked at the top of a channel in a
	// thread under it, so that channels stay readable (default true); false
	// answers it at the top of the channel. Questions asked in a thread are
	// answered there, and DMs at their top, either way.
	ReplyInThread bool `yaml:"reply_in_thread"`
	// BotUserID is the bot's own user ID (U…); found with auth.test when empty.
	BotUserID string `yaml:"bot_user_id"`
	// TeamID is the workspace (T…), or a list of workspaces, whose
	// deliveries (events, slash commands, button presses) are acted on;
	// others are refused. Empty: the bot token's own workspace (auth.test).
	TeamID IDs `yaml:"team_id"`
	// EnterpriseID is the Enterprise Grid organization (E…) deliveries must
	// come from. Empty: the bot token's (auth.test), so outside a Grid
	// org a delivery naming any enterprise is refused.
	EnterpriseID string `yaml:"enterprise_id"`
	// AppID is the Slack app (A…) deliveries must be for. Empty: the bot
	// token's app (bots.info).
	AppID string `yaml:"app_id"`
	// Channels allow-lists where commands are answered (names like
	// tech-alerts or #tech-alerts, or IDs); empty: any channel the bot is
	// in. DMs are always allowed.
	Channels []string `yaml:"channels"`
	// Rooms are where notices go, per level.
	Rooms Rooms `yaml:"rooms"`
	// Progress is how long a command runs before opsbot shows it is working
	// (a reaction on the question; default 1s).
	Progress time.Duration `yaml:"progress"`
	// Pace is the least time between two messages to one channel (default 1s).
	Pace time.Duration `yaml:"pace"`
	// Terminal is the identity of `opsbot chat`.
	Terminal Terminal `yaml:"terminal"`
}

// Rooms name the channel for each notice level.
type Rooms struct {
	Audit string `yaml:"audit"`
	Warn  string `yaml:"warn"`
	Page  string `yaml:"page"`
}

// Terminal is the local identity of the terminal chat. Set User to your
// Slack user ID to hold the same role as in Slack.
type Terminal struct {
	User    string `yaml:"user"`    // default "local:$USER"
	Name    string `yaml:"name"`    // display only; default $USER
	History string `yaml:"history"` // default DATA/chat_history
}

func (c *Slack) defaults() {
	c.Mode = "socket"
	c.PathPrefix = "/slack"
	c.APIURL = "https://slack.com/api/"
	c.ReplyInThread = true
	c.Rooms = Rooms{Audit: "tech-audits", Warn: "tech-alerts", Page: "tech-alerts"}
	c.Progress = time.Second
	c.Pace = time.Second
}

var (
	slackUserID  = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	slackChannel = regexp.MustCompile(`^#?[a-z0-9][a-z0-9_\-]{0,79}$|^[CGD][A-Z0-9]{2,}$`)
	slackTeamID  = regexp.MustCompile(`^T[A-Z0-9]{2,}$`)
	slackEntID   = regexp.MustCompile(`^E[A-Z0-9]{2,}$`)
	slackAppID   = regexp.MustCompile(`^A[A-Z0-9]{2,}$`)
)

func (c *Slack) validate() error {
	if c.Mode != "socket" && c.Mode != "http" {
		return fieldErr("slack.mode", "must be socket or http, got %q", c.Mode)
	}
	if err := c.apiURL(); err != nil {
		return err
	}
	if !strings.HasPrefix(c.PathPrefix, "/") {
		return fieldErr("slack.path_prefix", "must start with /, got %q", c.PathPrefix)
	}
	if c.BotUserID != "" && !slackUserID.MatchString(c.BotUserID) {
		return fieldErr("slack.bot_user_id", "must be a Slack user ID like U012AB3CD, got %q", c.BotUserID)
	}
	for i, ch := range c.Channels {
		if !slackChannel.MatchString(ch) {
			return fieldErr(fmt.Sprintf("slack.channels[%d]", i), "must be a channel name (lowercase, digits, - and _) or ID, got %q", ch)
		}
	}
	if err := c.Rooms.validate(); err != nil {
		return err
	}
	if err := c.identity(); err != nil {
		return err
	}
	return c.durations()
}

// apiURL checks slack.api_url and adds its final slash when missing.
func (c *Slack) apiURL() error {
	u, err := url.Parse(c.APIURL)
	ok := err == nil && u.Host != "" && u.User == nil && u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" &&
		(u.Scheme == "https" || (u.Scheme == "http" && loopback(u.Hostname()))) &&
		(strings.HasSuffix(u.Path, "/api") || strings.HasSuffix(u.Path, "/api/"))
	if !ok {
		return fieldErr("slack.api_url", "must be an https URL ending in /api/ (http only for a loopback host), like https://slack-gov.com/api/, got %q", c.APIURL)
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	return nil
}

// loopback reports whether host is this machine: localhost or a loopback IP.
func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// identity checks the workspace, organization and app deliveries must match.
func (c *Slack) identity() error {
	for i, id := range c.TeamID {
		if !slackTeamID.MatchString(id) {
			return fieldErr(fmt.Sprintf("slack.team_id[%d]", i), "must be a Slack workspace ID like T012AB3CD (Workspace settings, or auth.test), got %q", id)
		}
	}
	if c.EnterpriseID != "" && !slackEntID.MatchString(c.EnterpriseID) {
		return fieldErr("slack.enterprise_id", "must be an Enterprise Grid org ID like E012AB3CD, got %q", c.EnterpriseID)
	}
	if c.AppID != "" && !slackAppID.MatchString(c.AppID) {
		return fieldErr("slack.app_id", "must be a Slack app ID like A012AB3CD (the app's Basic Information page), got %q", c.AppID)
	}
	return nil
}

func (c *Slack) durations() error {
	if c.Progress < 0 {
		return fieldErr("slack.progress", "must not be negative, got %s", c.Progress)
	}
	if c.Pace < 0 || c.Pace > time.Minute {
		return fieldErr("slack.pace", "must be between 0 and 1m, got %s", c.Pace)
	}
	if c.Terminal.User != "" && strings.ContainsAny(c.Terminal.User, " \t\n") {
		return fieldErr("slack.terminal.user", "must be one word (a Slack user ID such as U012AB3CD), got %q", c.Terminal.User)
	}
	return nil
}

func (r *Rooms) validate() error {
	for _, f := range []struct{ name, v string }{{"audit", r.Audit}, {"warn", r.Warn}, {"page", r.Page}} {
		if f.v == "" {
			return fieldErr("slack.rooms."+f.name, "must name a channel (e.g. tech-alerts)")
		}
		if !slackChannel.MatchString(f.v) {
			return fieldErr("slack.rooms."+f.name, "must be a channel name (lowercase, digits, - and _) or ID, got %q", f.v)
		}
	}
	return nil
}

// Room is the channel for a notice level name ("audit", "warn", "page").
func (r Rooms) Room(level string) string {
	switch level {
	case "warn":
		return r.Warn
	case "page":
		return r.Page
	}
	return r.Audit
}

// IDs is a list of IDs written as one (`team_id: T012AB3CD`) or as a list
// (`team_id: [T012AB3CD, T045EF6GH]`).
type IDs []string

// UnmarshalYAML reads one ID or a list of them.
func (ids *IDs) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var one string
		if err := n.Decode(&one); err != nil {
			return err
		}
		*ids = nil
		if one != "" {
			*ids = IDs{one}
		}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*ids = list
	return nil
}

// removedListen is slack.listen, which no longer exists: reading it is an
// error saying where Slack's endpoints are served now.
type removedListen struct{}

func (removedListen) UnmarshalYAML(*yaml.Node) error {
	return fieldErr("slack.listen", "is no longer read: in http mode Slack's endpoints are served by `opsbot serve` on its --listen address (default 127.0.0.1:9464) under slack.path_prefix; delete slack.listen and pass `opsbot serve --listen ADDR` instead")
}
