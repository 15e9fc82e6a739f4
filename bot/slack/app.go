// Package slack is opsbot's Slack transport: Socket Mode (slack-go's
// socketmode client) or signed HTTP endpoints bring events, mentions, DMs,
// "opsbot …" channel messages, the /opsbot slash command and button presses;
// each becomes an opsbot.Request for the bot router, and the reply is posted
// back as Block Kit within Slack's limits (long answers in a thread, big
// tables as CSV through the files upload v2 flow). Posts are paced per
// channel and retried on 429 after Retry-After. Notifier posts to rooms for
// the schedules.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/slack-go/slack"
)

var _ opsbot.Poster = (*Notifier)(nil)

// Options configure the Slack transport. Tokens come from the environment
// (see FromEnv); everything else has a default.
type Options struct {
	BotToken      string // xoxb-…: the Web API (SLACK_BOT_TOKEN)
	AppToken      string // xapp-…: Socket Mode (SLACK_APP_TOKEN)
	SigningSecret string // HTTP mode request signing (SLACK_SIGNING_SECRET)

	// APIURL is the Web API base every call goes to, Socket Mode's
	// apps.connections.open and file uploads included (default
	// "https://slack.com/api/"; a final slash is added). config checks
	// slack.api_url before it gets here.
	APIURL string
	// TopLevel answers a question asked at the top of a channel there,
	// not in a thread under it (slack.reply_in_thread: false).
	TopLevel  bool
	BotUserID string // found with auth.test when empty
	// Deliveries must name one of TeamIDs, EnterpriseID ("" outside
	// Enterprise Grid) and AppID; each is learned from the bot token
	// (auth.test, bots.info) when empty.
	TeamIDs      []string
	EnterpriseID string
	AppID        string
	Channels     []string // allow-list of channel names or IDs; empty: any
	Pace         time.Duration
	Progress     time.Duration // show progress after this long; < 0: never; 0: 1s
	Limits       Limits        // zero: DefaultLimits
	Workers      int           // requests answered at once (default 8)

	Clock      opsbot.Clock // default opsbot.SystemClock
	Log        *slog.Logger
	HTTPClient *http.Client
}

// FromEnv fills the tokens from SLACK_BOT_TOKEN, SLACK_APP_TOKEN and
// SLACK_SIGNING_SECRET.
func (o Options) FromEnv(getenv func(string) string) Options {
	o.BotToken, o.AppToken, o.SigningSecret = getenv("SLACK_BOT_TOKEN"), getenv("SLACK_APP_TOKEN"), getenv("SLACK_SIGNING_SECRET")
	return o
}

// App is a connection to one Slack workspace.
type App struct {
	opts    Options
	install install
	api     *slack.Client
	call    *caller
	log     *slog.Logger
	seen    *dedupe
	notif   *Notifier
	users   cache
	groups  groups
	limits  Limits
	work    chan struct{}
	wg      sync.WaitGroup
}

// New checks the bot token with auth.test (which also gives the bot's user
// ID, workspace and Grid org) and bots.info (its app) and returns the
// transport. It does not connect yet: see RunSocket and
// HTTPHandler.
func New(ctx context.Context, o Options) (*App, error) {
	if o.BotToken == "" {
		return nil, errors.New("slack: SLACK_BOT_TOKEN is not set")
	}
	o = withDefaults(o)
	opts := []slack.Option{slack.OptionAPIURL(o.APIURL), slack.OptionHTTPClient(o.HTTPClient)}
	if o.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(o.AppToken))
	}
	a := &App{opts: o, api: slack.New(o.BotToken, opts...), log: o.Log, limits: o.Limits}
	a.call = &caller{clock: o.Clock, pace: o.Pace, log: o.Log}
	a.seen = newDedupe(o.Clock, time.Hour)
	a.users = cache{ttl: time.Hour, clock: o.Clock}
	a.work = make(chan struct{}, o.Workers)
	a.notif = &Notifier{app: a, ids: cache{ttl: 10 * time.Minute, clock: o.Clock}}
	if err := a.identify(ctx); err != nil {
		return nil, fmt.Errorf("slack: %w", err)
	}
	return a, nil
}

func withDefaults(o Options) Options {
	if o.APIURL == "" {
		o.APIURL = "https://slack.com/api/"
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	if o.Progress == 0 {
		o.Progress = time.Second
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Clock == nil {
		o.Clock = opsbot.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	return o
}

// BotUserID is the bot's own user ID, for bot.Options.BotUserID.
func (a *App) BotUserID() string { return a.opts.BotUserID }

// Notifier posts to rooms; it implements opsbot.Poster.
func (a *App) Notifier() *Notifier { return a.notif }

// Wait blocks until every request being answered is done.
func (a *App) Wait() { a.wg.Wait() }

// Place refuses commands from channels outside the allow-list; DMs and the
// terminal are always fine. Use it as bot.Options.Place.
func (a *App) Place(ctx context.Context, req *opsbot.Request) error {
	if len(a.opts.Channels) == 0 || req.DM || req.Transport != "slack" || req.Channel == "" {
		return nil
	}
	for _, c := range a.opts.Channels {
		if strings.EqualFold(c, req.Channel) {
			return nil
		}
		if id, err := a.notif.channelID(ctx, c); err == nil && id == req.Channel {
			return nil
		}
	}
	names := make([]string, len(a.opts.Channels))
	for i, c := range a.opts.Channels {
		names[i] = "#" + strings.TrimPrefix(c, "#")
	}
	return fmt.Errorf("opsbot answers in %s and in direct messages", strings.Join(names, ", "))
}

// userName is the display name of a user, for display only (cached).
func (a *App) userName(ctx context.Context, id string) string {
	if n, ok := a.users.get(id); ok {
		return n
	}
	var u *slack.User
	err := a.call.do(ctx, "users.info", func() (err error) {
		u, err = a.api.GetUserInfoContext(ctx, id)
		return err
	})
	if err != nil {
		a.log.Warn("slack: users.info failed", "user", id, "err", err)
		return ""
	}
	name := firstOf(u.Profile.DisplayName, u.RealName, u.Name)
	a.users.put(id, name)
	return name
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// cache is a small string map with a time to live.
type cache struct {
	mu    sync.Mutex
	ttl   time.Duration
	clock opsbot.Clock
	m     map[string]cached
}

type cached struct {
	v  string
	at time.Time
}

func (c *cache) get(k string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || c.clock.Now().Sub(e.at) > c.ttl {
		return "", false
	}
	return e.v, true
}

func (c *cache) put(k, v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cached{}
	}
	c.m[k] = cached{v, c.clock.Now()}
}
