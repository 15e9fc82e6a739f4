package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/chdb"
)

// benchBot measures Slack event received → reply posted on a loopback
// Slack (Socket Mode envelope in, chat.postMessage out), answering
// "top 4xx by ip" with the query engine over --rows synthetic rows, all in
// the last hour so the query reads every one of them. --skill trivial
// measures the transport alone.
func benchBot(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bot", flag.ContinueOnError)
	rows := fs.Int("rows", 10_000_000, "synthetic requests rows in the last hour")
	n := fs.Int("n", 50, "questions asked")
	phrase := fs.String("phrase", "top 4xx by ip", "what is asked")
	skill := fs.String("skill", "query", "query (the query engine) or trivial (the transport alone)")
	data := fs.String("data", filepath.Join(os.TempDir(), "opsbot-bench-bot"), "embedded engine data folder (its requests table is replaced)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	skills, sugg, direct, closeW, err := benchSkills(ctx, *skill, *data, *rows, *phrase)
	if err != nil {
		return err
	}
	defer closeW()
	e2e, handled, err := askOverSlack(ctx, *n, *phrase, skills, sugg)
	if err != nil {
		return err
	}
	fmt.Printf("bot: %q, %s skill, %d questions over Socket Mode on a loopback Slack\n", *phrase, *skill, *n)
	printLatency("event → reply posted", e2e)
	printLatency("router + skill (Handle)", handled)
	over := make([]time.Duration, len(e2e))
	for i := range e2e {
		over[i] = e2e[i] - handled[i]
	}
	printLatency("transport (the difference)", over)
	if direct != nil {
		q, err := timeDirect(ctx, *n, direct)
		if err != nil {
			return err
		}
		printLatency("query engine alone (Ask)", q)
	}
	fmt.Println("  target: p95 event → reply posted < 500ms")
	return nil
}

// timed measures each Handle, in order.
type timed struct {
	h    opsbot.Handler
	mu   sync.Mutex
	took []time.Duration
}

func (t *timed) Handle(ctx context.Context, req *opsbot.Request) *opsbot.Reply {
	t0 := time.Now()
	r := t.h.Handle(ctx, req)
	t.mu.Lock()
	t.took = append(t.took, time.Since(t0))
	t.mu.Unlock()
	return r
}

// benchSkills builds the skill answering the phrase; for "query" it loads
// rows synthetic requests first (when the table holds fewer).
func benchSkills(ctx context.Context, kind, dir string, rows int, phrase string) ([]opsbot.Skill, bot.Suggester, func() error, func(), error) {
	if kind == "trivial" {
		return []opsbot.Skill{trivial{}}, nil, nil, func() {}, nil
	}
	if kind != "query" {
		return nil, nil, nil, nil, fmt.Errorf("--skill: want query or trivial, got %q", kind)
	}
	w, err := chdb.Open(dir)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	now := time.Now().UTC()
	if err := loadSynthetic(ctx, w, rows, now); err != nil {
		w.Close()
		return nil, nil, nil, nil, err
	}
	e := query.New(w, query.Options{})
	direct := func() error { _, err := e.Ask(ctx, phrase, time.Now()); return err }
	return []opsbot.Skill{e.Skill()}, e, direct, func() { w.Close() }, nil
}

// loadSynthetic replaces the requests with rows made by ClickHouse itself:
// 50,000 clients (a few of them loud), 8% 4xx, spread over the last hour.
func loadSynthetic(ctx context.Context, w warehouse.Warehouse, rows int, now time.Time) error {
	if _, err := sql.Migrate(ctx, w); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := w.Exec(ctx, "TRUNCATE TABLE requests", nil); err != nil {
		return err
	}
	start := time.Now()
	err := w.Exec(ctx, `INSERT INTO requests (ts, client_ip, status, method, host, path, user_agent, bytes_out, time_taken, edge_location, source)
SELECT fromUnixTimestamp64Milli(toInt64({end:Int64}) - 3600000 + intDiv(number * 3600000, {rows:UInt64})),
       toIPv6(IPv4NumToString(toUInt32(167772160 + if(h % 10 = 0, h % 50, h % 50000)))),
       multiIf(h % 100 < 88, 200, h % 100 < 93, 404, h % 100 < 95, 403, h % 100 < 96, 400, h % 100 < 98, 301, 503),
       ['GET','GET','GET','POST','HEAD'][1 + (h % 5)],
       ['www.example.org','api.example.org','static.example.org'][1 + (h % 3)],
       concat('/', ['donate','blargh','foo','wp-login.php','api/v1/items','static/app.js'][1 + (intDiv(h, 7) % 6)]),
       ['Mozilla/5.0','curl/8.5.0','python-requests/2.31'][1 + (intDiv(h, 11) % 3)],
       1000 + h % 50000, (h % 1000) / 1000.0, 'FRA56-C1', 'bench'
FROM (SELECT number, cityHash64(number) AS h FROM numbers({rows:UInt64}))`,
		opsbot.Params{"end": fmt.Sprint(now.UnixMilli()), "rows": fmt.Sprint(rows)})
	if err != nil {
		return fmt.Errorf("load rows: %w", err)
	}
	fmt.Printf("loaded %d synthetic rows in %v\n", rows, time.Since(start).Round(time.Millisecond))
	return nil
}

// askOverSlack asks the phrase n times through the fake Slack and returns
// the time from sending each envelope to its answer being posted.
func askOverSlack(ctx context.Context, n int, phrase string, skills []opsbot.Skill, sugg bot.Suggester) (e2e, handled []time.Duration, err error) {
	fake := slackfake.New()
	defer fake.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := slack.New(ctx, slack.Options{BotToken: slackfake.BotToken, AppToken: slackfake.AppToken, APIURL: fake.APIURL(), Pace: time.Second, Log: quiet})
	if err != nil {
		return nil, nil, err
	}
	b := &timed{h: bot.New(bot.Options{BotUserID: app.BotUserID(), Suggester: sugg, Log: quiet}, skills...)}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go app.RunSocket(runCtx, b) //nolint:errcheck // ends with runCtx
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if _, err := fake.WaitCalls(wctx, "socket.connect", 1); err != nil {
		return nil, nil, err
	}
	for i := 0; i < n; i++ {
		// A channel per question: people don't ask twice a second in one
		// room, and the 1/s pacing per channel is a policy, not latency.
		ch := fmt.Sprintf("C0BENCH%04d", i)
		ts := fmt.Sprintf("1800000000.%06d", i)
		t0 := time.Now()
		fake.Send("events_api", slackfake.Event(fmt.Sprint("EvB", i), slackfake.Mention("U0ALICE01", ch, "<@UBOT> "+phrase, ts, "")))
		calls, err := fake.WaitCalls(wctx, "chat.postMessage", i+1)
		if err != nil {
			return nil, nil, err
		}
		e2e = append(e2e, calls[i].At.Sub(t0))
		if len(fake.Calls("chat.postEphemeral")) > 0 {
			return nil, nil, errors.New("the bot answered with an error (ephemeral); is the phrase right?")
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return e2e, b.took, nil
}

func timeDirect(ctx context.Context, n int, f func() error) ([]time.Duration, error) {
	var out []time.Duration
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if err := f(); err != nil {
			return nil, err
		}
		out = append(out, time.Since(t0))
	}
	return out, nil
}

func printLatency(what string, d []time.Duration) {
	fmt.Printf("  %-28s p50 %8v  p95 %8v  max %8v\n", what, pct(d, 50).Round(time.Microsecond), pct(d, 95).Round(time.Microsecond), pct(d, 100).Round(time.Microsecond))
}

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

// trivial answers at once, to measure the transport alone.
type trivial struct{}

func (trivial) Commands() []opsbot.Command {
	return []opsbot.Command{{Name: "top", Summary: "a fixed answer", Role: opsbot.RoleReader}}
}

func (trivial) Handle(context.Context, *opsbot.Request) (*opsbot.Reply, error) {
	return &opsbot.Reply{Title: "Top 1 4XX by ip", Table: &opsbot.Result{
		Columns: []opsbot.Column{{Name: "ip", Type: "String"}, {Name: "requests", Type: "UInt64"}},
		Rows:    [][]any{{"104.2.1.1", uint64(4001)}}}}, nil
}
