package actions_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/deploy/github/githubtest"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// dan deploys api but is no operator; rob (a reader) does not deploy it.
var dan = opsbot.User{ID: "UDAN", Name: "dan"}

// thu is a Thursday afternoon in Berlin, outside the Friday freeze.
var thu = time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)

const opsRoom = "C0OPS0001" // where deploys are asked, known to the fake Slack

// dworld is opsbot wired as serve wires it for deploys: the embedded
// engine, a loopback GitHub, the real Slack notifier on the fake Slack,
// the real router and confirmations, and a manual clock for the deploy
// followers and the confirmations.
type dworld struct {
	t     *testing.T
	w     warehouse.Warehouse
	gh    *githubtest.Server
	slack *slackfake.Server
	clk   *clocktest.Clock
	c     *config.Config
	wired *actions.Wired
	bot   *bot.Bot
	stop  context.CancelFunc // stops the followers, as a shutdown does
	ts    atomic.Int64       // the last Slack message ts of a request
}

func deployConfig(apiURL string) *config.Config {
	c := config.Default()
	c.Timezone = "Europe/Berlin"
	c.Access.Readers.Users = []string{rob.ID, dan.ID}
	c.Access.Operators.Users = []string{alice.ID, bob.ID}
	c.Deploys.GitHub.BaseURL = apiURL
	c.Deploys.Freeze = []config.FreezeWindow{{Days: []string{"fri"}, From: "16:00", To: "24:00", Reason: "no deploys into the weekend"}}
	c.Deploys.Services = map[string]config.DeployService{"api": {
		Deployers: config.Members{Users: []string{alice.ID, bob.ID, dan.ID}}, DefaultEnv: "staging",
		Envs:   map[string]config.DeployEnv{"staging": {Confirm: "button"}, "production": {Confirm: "totp"}},
		GitHub: &config.DeployWorkflow{Repo: "acme/api", Workflow: "deploy.yml"}}}
	return c
}

// newDeployWorld starts on empty tables.
func newDeployWorld(t *testing.T, edit func(*config.Config)) *dworld {
	w := embedded(t)
	warehousetest.Truncate(t, w, "audit_log", "deploys", "deploy_locks", "opsbot_secrets.totp_secrets")
	clk := clocktest.New(thu)
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	c := deployConfig("")
	gh := githubtest.New(t, clk.Now)
	c.Deploys.GitHub.BaseURL = gh.APIURL()
	if edit != nil {
		edit(c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	d := &dworld{t: t, w: w, gh: gh, slack: fake, clk: clk, c: c}
	d.start()
	return d
}

// start wires opsbot (again, after a restart) over the same tables,
// GitHub and Slack.
func (d *dworld) start() {
	ctx, stop := context.WithCancel(context.Background())
	d.t.Cleanup(stop)
	app, err := slack.New(ctx, slack.Options{BotToken: slackfake.BotToken, AppToken: slackfake.AppToken, APIURL: d.slack.APIURL(),
		Pace: time.Second, Progress: -1, Clock: slackClock{&clock{t: thu}}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		d.t.Fatal(err)
	}
	env := map[string]string{"OPSBOT_SECRET_KEY": base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")),
		"OPSBOT_DEPLOY_TOKEN": githubtest.Token, "BILLING_HOOK_SECRET": "whsec-billing"}
	wired, err := actions.Wire(ctx, actions.Deps{Config: d.c, Warehouse: d.w, Poster: app.Notifier(), Getenv: func(k string) string { return env[k] },
		Now: d.clk.Now, Clock: d.clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		d.t.Fatal(err)
	}
	d.wired, d.stop = wired, stop
	d.bot = bot.New(bot.Options{Authorizer: wired.Roles, Auditor: wired.Audit, Now: d.clk.Now}, wired.Skills...)
}

// restart stops the followers as a shutdown does, then wires anew.
func (d *dworld) restart() {
	d.stop()
	d.wired.Deploys.Wait()
	d.start()
}

// say sends text as u in the ops room (dm: in a DM), as a new Slack
// message with its own ts.
func (d *dworld) say(u opsbot.User, text string, dm bool) *opsbot.Reply {
	ts := d.ts.Add(1)
	ch := opsRoom
	if dm {
		ch = "D" + u.ID
	}
	return d.bot.Handle(context.Background(), &opsbot.Request{User: u, Channel: ch, DM: dm, Text: text, Transport: "slack",
		TS: fmt.Sprintf("1800000000.%06d", ts), Now: d.clk.Now()})
}

// enroll enrols u and returns the TOTP secret.
func (d *dworld) enroll(u opsbot.User) string {
	r := d.say(u, "2fa enroll", true)
	i := strings.Index(r.Text, "secret=")
	if i < 0 {
		d.t.Fatalf("enroll: %+v", r)
	}
	s := r.Text[i+len("secret="):]
	return s[:strings.IndexAny(s, "&`")]
}

// step waits until the follower waits for its next poll, lets set change
// GitHub, then moves the clock to that poll.
func (d *dworld) step(set func()) {
	d.clk.BlockUntil(1)
	if set != nil {
		set()
	}
	d.clk.Advance(d.c.Deploys.Poll)
}

// progress are the chat.update texts of the progress message ts, in order.
func (d *dworld) progress(ts string) []string {
	var out []string
	for _, c := range d.slack.Calls("chat.update") {
		if c.Form.Get("ts") == ts {
			out = append(out, c.Form.Get("blocks"))
		}
	}
	return out
}

// posts are chat.postMessage calls to channel, as their thread and blocks.
func (d *dworld) posts(channel string) []slackfake.Call {
	var out []slackfake.Call
	for _, c := range d.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == channel {
			out = append(out, c)
		}
	}
	return out
}

// auditRows reads the audit log, oldest first, as "user allowed text | action | result's first line | approval".
func (d *dworld) auditRows() []string {
	res, err := d.w.Query(context.Background(), "SELECT user_id, allowed, text, action, result, approval FROM audit_log ORDER BY seq", nil)
	if err != nil {
		d.t.Fatal(err)
	}
	var out []string
	for _, r := range res.Rows {
		out = append(out, fmt.Sprintf("%s %v %s | %s | %s | %s", r[0], r[1], r[2], r[3], firstLine(r[4].(string)), r[5]))
	}
	return out
}

// seed records a successful deploy of api to env at sha, started at.
func (d *dworld) seed(id, env, ref, sha string, at time.Time) {
	err := d.w.Exec(context.Background(), `INSERT INTO deploys (id, service, env, ref, sha, target, by_id, by_name, state, started_at, updated_at, ended_at, version)
		SELECT {id:String}, 'api', {env:String}, {ref:String}, {sha:String}, 'github', 'UBOB', 'bob', 'success',
		       {at:DateTime64(3, 'UTC')}, {at:DateTime64(3, 'UTC')}, {at:DateTime64(3, 'UTC')}, 1`,
		opsbot.Params{"id": id, "env": env, "ref": ref, "sha": sha, "at": warehouse.TimeParam(at)})
	if err != nil {
		d.t.Fatal(err)
	}
}
