package slack_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
)

// otherInstalls are deliveries that differ from the bot token's install in
// one field each.
var otherInstalls = []struct{ name, team, enterprise, app string }{
	{"team", "T0OTHER01", "", ""},
	{"enterprise", "", "E0OTHER01", ""},
	{"app", "", "", "A0OTHER01"},
}

const formType = "application/x-www-form-urlencoded"

// onlyHandled fails unless the router saw exactly want (sorted) and one
// message was posted for each, and nothing was answered any other way.
func onlyHandled(t *testing.T, h *handled, fake *slackfake.Server, want ...string) {
	t.Helper()
	if got := h.Texts(); !slices.Equal(got, want) {
		t.Errorf("the router saw %q, want only %q", got, want)
	}
	if n := len(fake.Calls("chat.postMessage")); n != len(want) {
		t.Errorf("%d messages posted, want %d", n, len(want))
	}
	for _, m := range []string{"chat.postEphemeral", "response"} {
		if c := fake.Calls(m); len(c) != 0 {
			t.Errorf("answered through %s: %v", m, c)
		}
	}
}

// Over Socket Mode, an event, a slash command and a button press for
// another workspace, Grid org or app are acked and dropped; the bot
// token's own (learned from auth.test and bots.info, nothing configured)
// are answered, even with the event ID, ts and triggers of refused ones.
func TestSocketRefusesOtherInstalls(t *testing.T) {
	r := newRig(t, nil)
	for i, o := range otherInstalls {
		tag := func(b []byte) []byte { return slackfake.Retag(b, o.team, o.enterprise, o.app) }
		ts, trig := fmt.Sprintf("5.00000%d", i), fmt.Sprint("trig", i)
		r.fake.Send("events_api", tag(slackfake.Event(fmt.Sprint("Ev", i), slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo event "+o.name, ts, ""))))
		r.fake.Send("slash_commands", tag(r.fake.Slash("U0BOB0001", "C0OPS0001", "echo slash "+o.name, trig)))
		r.fake.Send("interactive", tag(r.fake.Press("U0ALICE01", "C0OPS0001", "5.000009", "opsbot_0", "echo press "+o.name, trig)))
	}
	r.fake.Send("events_api", slackfake.Event("Ev0", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo event ok", "5.000000", "")))
	r.fake.Send("slash_commands", r.fake.Slash("U0BOB0001", "C0OPS0001", "echo slash ok", "trig0"))
	r.fake.Send("interactive", r.fake.Press("U0ALICE01", "C0OPS0001", "5.000009", "opsbot_0", "echo press ok", "trig0"))
	r.posts(t, 3)
	if err := r.fake.Wait(r.ctx, func([]slackfake.Call) bool { return r.fake.Unacked() == 0 }); err != nil {
		t.Errorf("%d envelopes never acked (Slack would redeliver them): %v", r.fake.Unacked(), err)
	}
	r.stop() // every answer under way is posted
	onlyHandled(t, r.handled, r.fake, "<@UBOT> echo event ok", "echo press ok", "echo slash ok")
}

// Over signed HTTP the same: events for another install get 200 (so that
// Slack does not retry them) and slash commands and presses 403, and none
// reaches the router.
func TestHTTPRefusesOtherInstalls(t *testing.T) {
	r := newHTTPRig(t, nil)
	now := r.clock.Now()
	for i, o := range otherInstalls {
		tag := func(b []byte) []byte { return slackfake.Retag(b, o.team, o.enterprise, o.app) }
		ts, trig := fmt.Sprintf("6.00000%d", i), fmt.Sprint("trig", i)
		ev := tag(slackfake.Event(fmt.Sprint("Ev", i), slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo event "+o.name, ts, "")))
		if code, body := r.send(t, "/slack/events", "application/json", ev, secret, now); code != 200 || body != "" {
			t.Errorf("event for another %s: %d %q, want 200 and no body", o.name, code, body)
		}
		slash := tag(r.fake.SlashForm("U0BOB0001", "C0OPS0001", "echo slash "+o.name, trig))
		if code, body := r.send(t, "/slack/commands", formType, slash, secret, now); code != 403 || body != "forbidden\n" {
			t.Errorf("slash command for another %s: %d %q, want 403", o.name, code, body)
		}
		press := tag([]byte("payload=" + urlQuery(r.fake.Press("U0ALICE01", "C0OPS0001", "6.000009", "opsbot_0", "echo press "+o.name, trig))))
		if code, _ := r.send(t, "/slack/actions", formType, press, secret, now); code != 403 {
			t.Errorf("press for another %s: %d, want 403", o.name, code)
		}
	}
	ok := []struct {
		path, ctype string
		body        []byte
	}{
		{"/slack/events", "application/json", slackfake.Event("Ev0", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo event ok", "6.000000", ""))},
		{"/slack/commands", formType, r.fake.SlashForm("U0BOB0001", "C0OPS0001", "echo slash ok", "trig0")},
		{"/slack/actions", formType, []byte("payload=" + urlQuery(r.fake.Press("U0ALICE01", "C0OPS0001", "6.000009", "opsbot_0", "echo press ok", "trig0")))},
	}
	for _, d := range ok {
		if code, _ := r.send(t, d.path, d.ctype, d.body, secret, now); code != 200 {
			t.Errorf("%s for this install: %d, want 200", d.path, code)
		}
	}
	r.app.Wait()
	onlyHandled(t, r.handled, r.fake, "<@UBOT> echo event ok", "echo press ok", "echo slash ok")
}

// Configured IDs replace what the bot token says: two workspaces of one
// Grid org, and an app ID other than the token's (bots.info is not asked).
func TestConfiguredInstall(t *testing.T) {
	r := newHTTPRig(t, func(_ *slackfake.Server, o *slack.Options) {
		o.TeamIDs, o.EnterpriseID, o.AppID = []string{"T0TEAM001", "T0TEAM002"}, "E0GRID001", "A0APP0002"
	})
	cases := []struct {
		team, enterprise, app string
		want                  int
	}{
		{"T0TEAM002", "E0GRID001", "A0APP0002", 200},
		{"T0TEAM001", "E0GRID001", "A0APP0002", 200},
		{"T0TEAM001", "", "A0APP0002", 403},                         // no org
		{"T0TEAM003", "E0GRID001", "A0APP0002", 403},                // a third workspace of the org
		{"T0TEAM001", "E0GRID001", "", 403},                         // the token's own app, not the configured one
		{"T0TEAM002", "E0GRID002", "A0APP0002", 403},                // another org
		{slackfake.TeamID, "E0GRID001", slackfake.AppID + "X", 403}, // not a prefix match
	}
	for i, c := range cases {
		body := slackfake.Retag(r.fake.SlashForm("U0BOB0001", "C0OPS0001", fmt.Sprintf("echo %d", i), fmt.Sprint("trig", i)), c.team, c.enterprise, c.app)
		if code, _ := r.send(t, "/slack/commands", formType, body, secret, r.clock.Now()); code != c.want {
			t.Errorf("%+v: %d, want %d", c, code, c.want)
		}
	}
	r.app.Wait()
	onlyHandled(t, r.handled, r.fake, "echo 0", "echo 1")
	if n := len(r.fake.Calls("bots.info")); n != 0 {
		t.Errorf("bots.info called %d times with slack.app_id set", n)
	}
}

// In a Grid org, auth.test names the org and deliveries must name it too.
func TestLearnsGridOrg(t *testing.T) {
	r := newHTTPRig(t, func(f *slackfake.Server, _ *slack.Options) { f.InGrid("E0GRID001") })
	outside := r.fake.SlashForm("U0BOB0001", "C0OPS0001", "echo outside", "trig1")
	inside := slackfake.Retag(r.fake.SlashForm("U0BOB0001", "C0OPS0001", "echo inside", "trig2"), "", "E0GRID001", "")
	if code, _ := r.send(t, "/slack/commands", formType, outside, secret, r.clock.Now()); code != 403 {
		t.Errorf("without the org: %d, want 403", code)
	}
	if code, _ := r.send(t, "/slack/commands", formType, inside, secret, r.clock.Now()); code != 200 {
		t.Errorf("with the org: %d, want 200", code)
	}
	r.app.Wait()
	onlyHandled(t, r.handled, r.fake, "echo inside")
	if n := len(r.fake.Calls("bots.info")); n != 1 {
		t.Errorf("bots.info called %d times, want once to learn the app", n)
	}
}

// A body over slack.MaxBody gets 413 before anything reads it; one of
// exactly MaxBody is answered.
func TestBodyLimit(t *testing.T) {
	r := newHTTPRig(t, nil)
	pad := func(b []byte, n int) []byte { return append(b, bytes.Repeat([]byte(" "), n-len(b))...) }
	big := pad(slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo big", "7.000001", "")), slack.MaxBody+1)
	if code, body := r.send(t, "/slack/events", "application/json", big, secret, r.clock.Now()); code != 413 || !strings.Contains(body, "too large") {
		t.Errorf("MaxBody+1: %d %q, want 413", code, body)
	}
	fits := pad(slackfake.Event("Ev2", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo fits", "7.000002", "")), slack.MaxBody)
	if code, _ := r.send(t, "/slack/events", "application/json", fits, secret, r.clock.Now()); code != 200 {
		t.Errorf("MaxBody: %d, want 200", code)
	}
	r.app.Wait()
	onlyHandled(t, r.handled, r.fake, "<@UBOT> echo fits")
}
