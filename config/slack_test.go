package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSlackDefaults(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	s := c.Slack
	if s.Mode != "socket" || s.TeamID != nil || s.AppID != "" || s.PathPrefix != "/slack" || s.APIURL != "https://slack.com/api/" || !s.ReplyInThread || s.Pace != time.Second || s.Rooms.Room("audit") != "tech-audits" || s.Rooms.Room("page") != "tech-alerts" {
		t.Errorf("defaults = %+v", s)
	}
}

func TestSlackGood(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "slack_good.yaml"), true)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Slack
	if s.Mode != "http" || len(s.Channels) != 3 || s.Rooms.Page != "oncall" || s.Progress != 2*time.Second || s.Terminal.Name != "alice" {
		t.Errorf("loaded = %+v", s)
	}
	if s.APIURL != "https://slack-gov.com/api/" || s.ReplyInThread {
		t.Errorf("api_url %q (final slash added), reply_in_thread %v", s.APIURL, s.ReplyInThread)
	}
	if strings.Join(s.TeamID, ",") != "T012AB3CD,T045EF6GH" || s.EnterpriseID != "E012AB3CD" || s.AppID != "A012AB3CD" {
		t.Errorf("identity = %q %q %q", s.TeamID, s.EnterpriseID, s.AppID)
	}
}

// team_id takes one ID as well as a list; empty leaves it to auth.test.
func TestSlackTeamIDForms(t *testing.T) {
	for doc, want := range map[string]string{
		"slack: {team_id: T012AB3CD}":              "T012AB3CD",
		"slack: {team_id: [T012AB3CD, T045EF6GH]}": "T012AB3CD,T045EF6GH",
		`slack: {team_id: ""}`:                     "",
		"slack: {}":                                "",
	} {
		c := Default()
		if err := Decode([]byte(doc), c); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
		if got := strings.Join(c.Slack.TeamID, ","); got != want {
			t.Errorf("%s: team_id = %q (%d), want %q", doc, got, len(c.Slack.TeamID), want)
		}
	}
}

// api_url is https and ends in /api/; plain http only reaches this machine.
func TestSlackAPIURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://slack-gov.com/api/":           "https://slack-gov.com/api/",
		"https://slack-gov.com/api":            "https://slack-gov.com/api/",
		"https://proxy.example.org/slack/api/": "https://proxy.example.org/slack/api/",
		"http://127.0.0.1:8080/custom/api":     "http://127.0.0.1:8080/custom/api/",
		"http://localhost:8080/api/":           "http://localhost:8080/api/",
		"http://[::1]:8080/api/":               "http://[::1]:8080/api/",
		"http://slack.example.org/api/":        "",
		"https://slack-gov.com/":               "",
		"https://slack-gov.com/api/chat":       "",
		"https://slack-gov.com/api/?x=1":       "",
		"https://user:pw@slack-gov.com/api/":   "",
		"slack-gov.com/api/":                   "",
		"ftp://slack-gov.com/api/":             "",
	} {
		c := Default()
		c.Slack.APIURL = in
		err := c.Validate()
		switch {
		case want == "" && (err == nil || !strings.Contains(err.Error(), "slack.api_url: must be an https URL ending in /api/")):
			t.Errorf("%s: err = %v, want it refused", in, err)
		case want != "" && (err != nil || c.Slack.APIURL != want):
			t.Errorf("%s: %q, %v; want %q", in, c.Slack.APIURL, err, want)
		}
	}
}

func TestSlackBad(t *testing.T) {
	for file, want := range map[string]string{
		"bad_mode.yaml":          `slack.mode: must be socket or http, got "websocket"`,
		"bad_api_url.yaml":       `slack.api_url: must be an https URL ending in /api/ (http only for a loopback host), like https://slack-gov.com/api/, got "http://slack.example.org/api/"`,
		"bad_listen.yaml":        "slack.listen: is no longer read: in http mode Slack's endpoints are served by `opsbot serve` on its --listen address (default 127.0.0.1:9464) under slack.path_prefix; delete slack.listen and pass `opsbot serve --listen ADDR` instead",
		"bad_team_id.yaml":       `slack.team_id[1]: must be a Slack workspace ID like T012AB3CD (Workspace settings, or auth.test), got "acme"`,
		"bad_team_id_map.yaml":   `cannot unmarshal !!map into []string`,
		"bad_enterprise_id.yaml": `slack.enterprise_id: must be an Enterprise Grid org ID like E012AB3CD, got "T012AB3CD"`,
		"bad_app_id.yaml":        `slack.app_id: must be a Slack app ID like A012AB3CD (the app's Basic Information page), got "opsbot"`,
		"bad_path_prefix.yaml":   `slack.path_prefix: must start with /, got "slack"`,
		"bad_bot_user_id.yaml":   `slack.bot_user_id: must be a Slack user ID like U012AB3CD, got "opsbot"`,
		"bad_channel.yaml":       `slack.channels[1]: must be a channel name (lowercase, digits, - and _) or ID, got "Tech Alerts"`,
		"empty_room.yaml":        `slack.rooms.audit: must name a channel (e.g. tech-alerts)`,
		"bad_room.yaml":          `slack.rooms.warn: must be a channel name (lowercase, digits, - and _) or ID, got "#Tech Alerts"`,
		"bad_progress.yaml":      `slack.progress: must not be negative, got -1s`,
		"bad_pace.yaml":          `slack.pace: must be between 0 and 1m, got 2h0m0s`,
		"bad_terminal_user.yaml": `slack.terminal.user: must be one word (a Slack user ID such as U012AB3CD), got "alice smith"`,
		"unknown_key.yaml":       "line 2: slack.chanels: unknown key (did you mean channels?); slack allows mode",
	} {
		_, err := Load(filepath.Join("testdata", "slack", file), true)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to contain %q", file, err, want)
		}
	}
}
