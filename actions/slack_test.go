package actions_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
	"github.com/opsbot/opsbot/config"
)

// slackClock paces the Slack transport on the world's clock; waits
// fire at once.
type slackClock struct{ c *clock }

func (s slackClock) Now() time.Time { return s.c.Now() }
func (s slackClock) After(d time.Duration) <-chan time.Time {
	s.c.Add(d)
	fired := make(chan time.Time, 1)
	fired <- s.c.Now()
	return fired
}

// TestEnrolmentSecretIsEphemeralInSlack: `2fa enroll` in a Slack DM
// answers the otpauth secret only ephemerally (it stays out of the DM's
// history) and uploads no QR code: Slack attaches no file to an
// ephemeral message, and an uploaded file would stay.
func TestEnrolmentSecretIsEphemeralInSlack(t *testing.T) {
	const carol = "U0CAROL01" // known to the fake Slack
	wd := newWorld(t, func(c *config.Config) { c.Access.Operators.Users = append(c.Access.Operators.Users, carol) }, nil)
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	app, err := slack.New(ctx, slack.Options{BotToken: slackfake.BotToken, AppToken: slackfake.AppToken, APIURL: fake.APIURL(),
		Pace: time.Second, Progress: -1, Clock: slackClock{wd.clk}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Options{BotUserID: app.BotUserID(), Place: app.Place, Authorizer: wd.wired.Roles, Auditor: wd.wired.Audit, Now: wd.clk.Now}, wd.wired.Skills...)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- app.RunSocket(runCtx, b) }()
	if _, err := fake.WaitCalls(ctx, "socket.connect", 1); err != nil {
		t.Fatal(err)
	}
	fake.Send("events_api", slackfake.Event("Ev1", slackfake.Message(carol, "D0CAROL01", "im", "2fa enroll", "1.000001", "")))
	answered := func(cs []slackfake.Call) bool {
		return slices.ContainsFunc(cs, func(c slackfake.Call) bool {
			return strings.HasPrefix(c.Method, "chat.post") && c.Form.Get("channel") == "D0CAROL01"
		})
	}
	if err := fake.Wait(ctx, answered); err != nil {
		t.Fatal(err)
	}
	stop() // every answer is delivered
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	eph := fake.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("channel") != "D0CAROL01" || eph[0].Form.Get("user") != carol ||
		!strings.Contains(eph[0].Form.Get("blocks"), "otpauth://totp/") || !strings.Contains(eph[0].Form.Get("blocks"), "secret=") {
		t.Errorf("ephemeral %v", eph)
	}
	for _, m := range []string{"chat.postMessage", "upload", "files.getUploadURLExternal", "files.completeUploadExternal"} {
		if calls := fake.Calls(m); len(calls) != 0 {
			t.Errorf("%s: %v", m, calls[0].Form)
		}
	}
}
