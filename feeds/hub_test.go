package feeds_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
	"github.com/opsbot/opsbot/feeds"
)

func prs() feeds.Source {
	return feeds.Source{Name: "web-prs", Kind: "github", Routes: []feeds.Route{{Scope: "acme/*", Room: "#ops"}}}
}

// instant is the rig's time whose waits fire at once (Slack's pacing).
type instant struct{ c opsbot.Clock }

func (i instant) Now() time.Time { return i.c.Now() }
func (i instant) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- i.c.Now()
	return ch
}

// TestSlackBlocks: what Slack receives for one PR whose title carries
// markup and a mass mention: escaped data, opsbot's own bold title.
func TestSlackBlocks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := newRig(t)
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	app, err := slack.New(ctx, slack.Options{BotToken: slackfake.BotToken, AppToken: slackfake.AppToken, APIURL: fake.APIURL(),
		Pace: time.Second, Progress: -1, Clock: instant{r.clk}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hub := r.hub(app.Notifier(), prs())
	it := pr(42, "Cache <b>static</b> & <!channel> <https://evil.example|docs>")
	if _, err := hub.Deliver(ctx, "web-prs", "d1", []feeds.Item{it}); err != nil {
		t.Fatal(err)
	}
	hub.Flush(ctx)
	calls := fake.Calls("chat.postMessage")
	if len(calls) != 1 || calls[0].Form.Get("channel") != "C0OPS0001" {
		t.Fatalf("calls %+v", calls)
	}
	want := `[{"type":"section","text":{"type":"mrkdwn","text":"*PR acme/web#42 opened: Cache &lt;b&gt;static&lt;/b&gt; &amp; &lt;!channel&gt; &lt;https://evil.example|docs&gt;*"}},` +
		`{"type":"section","text":{"type":"mrkdwn","text":"by alice · main ← feature · +12 −3 in 2 files\nlabels: cdn\nhttps://github.com/acme/web/pull/42"}},` +
		`{"type":"context","elements":[{"type":"mrkdwn","text":"feed web-prs · 2026-12-03 10:00 UTC"}]}]`
	var got, exp any
	if err := json.Unmarshal([]byte(calls[0].Form.Get("blocks")), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("blocks\n%s\nwant\n%s", calls[0].Form.Get("blocks"), want)
	}
}

// TestPendingAfterRestart: items recorded but not yet posted when opsbot
// stopped are posted by the next process at its first minute; the
// process that recorded them never posts them.
func TestPendingAfterRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := newRig(t)
	first := r.hub(nil, prs())
	if _, err := first.Deliver(ctx, "web-prs", "d1", []feeds.Item{pr(1, "One"), pr(2, "Two")}); err != nil {
		t.Fatal(err)
	}
	second := r.hub(nil, prs()) // the restart: first is gone without flushing
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- second.Run(runCtx) }()
	r.clk.BlockUntil(1) // waiting for the next minute
	r.clk.Advance(30 * time.Second)
	got, err := r.poster.Wait(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []opsbot.Message{{Channel: "#ops", Reply: opsbot.Reply{Title: "2 new items",
		Text:    "• PR acme/web#1 opened: One — https://github.com/acme/web/pull/1\n• PR acme/web#2 opened: Two — https://github.com/acme/web/pull/2",
		Context: "feeds web-prs · grouped by minute"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, want)
	}
	third := r.hub(nil, prs())
	third.Flush(ctx)
	if _, err := third.Deliver(ctx, "web-prs", "d2", []feeds.Item{pr(1, "One")}); err != nil {
		t.Fatal(err)
	}
	third.Flush(ctx)
	if got := r.poster.Take(); len(got) != 0 {
		t.Fatalf("posted again %v", got)
	}
}

// TestFailedPostIsKept: a room whose post fails keeps its items for the
// next minute, and they are posted once.
func TestFailedPostIsKept(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	hub := r.hub(nil, prs())
	if _, err := hub.Deliver(ctx, "web-prs", "", []feeds.Item{pr(7, "Seven")}); err != nil {
		t.Fatal(err)
	}
	r.poster.Fail = errors.New("slack: ratelimited")
	hub.Flush(ctx)
	r.poster.Fail = nil
	hub.Flush(ctx)
	hub.Flush(ctx)
	if got := r.poster.Take(); len(got) != 1 || got[0].Reply.Title != "PR acme/web#7 opened: Seven" {
		t.Fatalf("posted %v", got)
	}
}

// TestQuotedIDs: ids with quotes and backslashes (a GUID is anyone's
// text) are looked up exactly: a repeat is not posted again.
func TestQuotedIDs(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	hub := r.hub(nil, feeds.Source{Name: "status", Kind: "rss", Routes: []feeds.Route{{Room: "#watch"}}})
	it := feeds.Item{ID: `it's a \'guid\' \\ ]`, Kind: feeds.KindPost, Scope: "s", Title: "T", Author: "A"}
	for range 2 {
		if _, err := hub.Deliver(ctx, "status", "", []feeds.Item{it}); err != nil {
			t.Fatal(err)
		}
		hub.Flush(ctx)
	}
	if got := r.poster.Take(); len(got) != 1 {
		t.Fatalf("posted %v", got)
	}
}
