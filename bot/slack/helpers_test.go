package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
	"github.com/opsbot/opsbot/internal/text/texttest"
)

// clock is an opsbot.Clock under the test's control: After fires at once
// and moves time forward, recording how long it was asked to wait.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 22, 11, 5, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	fired := make(chan time.Time, 1)
	fired <- c.now
	return fired
}

func (c *clock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// tables is a small real skill: "rows N" answers N rows of made-up
// traffic, "echo …" says it back, "slow" waits for its release, "chart"
// answers a PNG, "private N" N rows and a PNG to the asker only, "confirm" offers buttons, "ban" is for operators,
// "hostile" answers texttest.Reply.
type tables struct{ release chan struct{} }

func (tables) Commands() []opsbot.Command {
	return []opsbot.Command{
		{Name: "rows", Usage: "rows N", Summary: "N rows of traffic", Role: opsbot.RoleReader},
		{Name: "echo", Usage: "echo WORDS", Summary: "say it back", Role: opsbot.RoleReader},
		{Name: "slow", Summary: "takes its time", Role: opsbot.RoleReader},
		{Name: "chart", Summary: "a chart", Role: opsbot.RoleReader},
		{Name: "confirm", Summary: "buttons", Role: opsbot.RoleReader},
		{Name: "ban", Usage: "ban IP", Summary: "block", Role: opsbot.RoleOperator, Write: true},
		{Name: "hostile", Summary: "log fields written to attack", Role: opsbot.RoleReader},
		{Name: "private", Usage: "private N", Summary: "N rows and a chart, to the asker only", Role: opsbot.RoleReader},
	}
}

// pngBytes stands for a chart: the transport uploads bytes as they are.
var pngBytes = []byte("\x89PNG\r\n\x1a\nfake-chart-bytes")

func (s tables) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	word, rest, _ := strings.Cut(req.Text, " ")
	switch word {
	case "rows":
		n, err := strconv.Atoi(rest)
		if err != nil {
			return &opsbot.Reply{Text: "rows needs a number", Ephemeral: true}, nil
		}
		return &opsbot.Reply{Title: fmt.Sprintf("Top %d by ip", n), Table: traffic(n), Context: "last hour · 1,000 rows scanned"}, nil
	case "private":
		n, _ := strconv.Atoi(rest)
		return &opsbot.Reply{Title: "Yours only", Table: traffic(n), Ephemeral: true,
			Files: []opsbot.File{{Name: "requests.png", Title: "Requests", MimeType: "image/png", Data: pngBytes}}}, nil
	case "slow":
		<-s.release
		return &opsbot.Reply{Text: "done slowly"}, nil
	case "chart":
		return &opsbot.Reply{Title: "Requests", Files: []opsbot.File{{Name: "requests.png", Title: "Requests", MimeType: "image/png", Data: pngBytes}}}, nil
	case "hostile":
		return texttest.Reply(), nil
	case "confirm":
		return &opsbot.Reply{Text: "Sure?", Buttons: []opsbot.Button{{Label: "Yes", Command: "echo yes", Style: "primary"}, {Label: "No", Command: "echo no"}}}, nil
	}
	return &opsbot.Reply{Text: req.Text + " (" + req.User.ID + " " + req.User.Name + ")"}, nil
}

// traffic is row i: ip 10.0.<i/256>.<i%256>, requests 100000-i*7.
func traffic(n int) *opsbot.Result {
	r := &opsbot.Result{Columns: []opsbot.Column{{Name: "ip", Type: "String"}, {Name: "requests", Type: "UInt64"}}}
	for i := 0; i < n; i++ {
		r.Rows = append(r.Rows, []any{fmt.Sprintf("10.0.%d.%d", i/256, i%256), uint64(100000 - i*7)})
	}
	return r
}

type roles map[string]opsbot.Role

func (r roles) Role(_ context.Context, u opsbot.User, _ string) opsbot.Role {
	if slices.Contains(u.Groups, "S0OPERATE") {
		return opsbot.RoleOperator
	}
	if role, ok := r[u.ID]; ok {
		return role
	}
	return opsbot.RoleReader
}

type rig struct {
	fake    *slackfake.Server
	app     *slack.App
	clock   *clock
	skill   tables
	handled *handled // what reached the router
	ctx     context.Context
	stop    func() // cancels and waits for RunSocket: every answer is posted
}

// handled is a opsbot.Handler that records the text of every request it is given
// before the bot answers it.
type handled struct {
	opsbot.Handler
	mu    sync.Mutex
	texts []string
}

func (h *handled) Handle(ctx context.Context, req *opsbot.Request) *opsbot.Reply {
	h.mu.Lock()
	h.texts = append(h.texts, req.Text)
	h.mu.Unlock()
	return h.Handler.Handle(ctx, req)
}

// Texts are the requests handled so far, sorted.
func (h *handled) Texts() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Sorted(slices.Values(h.texts))
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newRig starts a fake Slack and the transport on it, in Socket Mode.
func newRig(t *testing.T, edit func(*slack.Options)) *rig {
	t.Helper()
	return newRigOn(t, slackfake.New(), edit)
}

// newRigOn starts the transport on fake, in Socket Mode.
func newRigOn(t *testing.T, fake *slackfake.Server, edit func(*slack.Options)) *rig {
	t.Helper()
	t.Cleanup(fake.Close)
	c := newClock()
	o := slack.Options{BotToken: slackfake.BotToken, AppToken: slackfake.AppToken, SigningSecret: "s3cret",
		APIURL: fake.APIURL(), Pace: time.Second, Progress: -1, Clock: c, Log: quiet()}
	if edit != nil {
		edit(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	app, err := slack.New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{fake: fake, app: app, clock: c, skill: tables{release: make(chan struct{})}, ctx: ctx}
	b := bot.New(bot.Options{BotUserID: app.BotUserID(), Place: app.Place, Log: quiet(),
		Authorizer: roles{"U0BOB0001": opsbot.RoleReader, "U0ALICE01": opsbot.RoleOperator}}, r.skill)
	r.handled = &handled{Handler: b}
	runCtx, stopRun := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- app.RunSocket(runCtx, r.handled) }()
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			stopRun()
			if err := <-done; err != nil {
				t.Errorf("RunSocket: %v", err)
			}
		})
	}
	t.Cleanup(r.stop)
	if _, err := fake.WaitCalls(ctx, "socket.connect", 1); err != nil {
		t.Fatal(err)
	}
	return r
}

// posts waits for n messages and returns every chat.postMessage.
func (r *rig) posts(t *testing.T, n int) []slackfake.Call {
	t.Helper()
	calls, err := r.fake.WaitCalls(r.ctx, "chat.postMessage", n)
	if err != nil {
		t.Fatalf("want %d posts, got %d: %v", n, len(calls), err)
	}
	return calls
}

// compact re-encodes JSON without spaces, to compare blocks exactly.
func compact(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
