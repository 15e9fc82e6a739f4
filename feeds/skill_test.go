package feeds_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/feeds"
)

// roles: U0OPER is an operator, everyone else a reader.
type roles struct{}

func (roles) Role(_ context.Context, u opsbot.User, _ string) opsbot.Role {
	if u.ID == "U0OPER" {
		return opsbot.RoleOperator
	}
	return opsbot.RoleReader
}

// failing always fails, as a revoked token does.
type failing struct{}

func (failing) Poll(context.Context, feeds.Cursor) ([]feeds.Item, feeds.Cursor, error) {
	return nil, feeds.Cursor{}, opsbot.Forbiddenf("401 Unauthorized: the credentials were refused")
}

// TestSkill: through the real router, `feeds` lists each source's health
// and last item; `feeds test NAME` posts the latest item to its rooms as a
// preview for an operator and is refused to a reader.
func TestSkill(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	hub := r.hub(nil, prs(), feeds.Source{Name: "status", Kind: "rss", Poller: failing{}, Routes: []feeds.Route{{Room: "#watch"}}})
	if _, err := hub.Deliver(ctx, "web-prs", "d1", []feeds.Item{pr(9, "Nine")}); err != nil {
		t.Fatal(err)
	}
	hub.Flush(ctx)
	hub.PollOnce(ctx, "status")
	r.poster.Take()
	b := bot.New(bot.Options{Authorizer: roles{}, Now: r.clk.Now}, hub.Skill(roles{}))
	ask := func(user, text string) *opsbot.Reply {
		return b.Handle(ctx, &opsbot.Request{User: opsbot.User{ID: user, Name: user}, Text: text, Transport: "terminal"})
	}
	list := ask("U0READ", "feeds")
	wantRows := [][]any{
		{"web-prs", "github", "webhook", "PR acme/web#9 opened: Nine", "10:00 UTC"},
		{"status", "rss", "failing since 10:00 UTC (1 tries): 401 Unauthorized: the credentials were refused; next try 10:10 UTC", "", ""},
	}
	if list.Table == nil || !reflect.DeepEqual(list.Table.Rows, wantRows) {
		t.Fatalf("feeds: %+v", list)
	}
	if rep := ask("U0READ", "feeds test web-prs"); !rep.Ephemeral || rep.Text != "`feeds test` posts to rooms and needs the operator role." {
		t.Errorf("reader: %+v", rep)
	}
	rep := ask("U0OPER", "feeds test web-prs")
	if rep.Text != "Posted the latest item of web-prs to #ops as a preview." {
		t.Errorf("operator: %+v", rep)
	}
	want := []opsbot.Message{{Channel: "#ops", Reply: opsbot.Reply{Title: "PR acme/web#9 opened: Nine",
		Text:    "by alice · main ← feature · +12 −3 in 2 files\nlabels: cdn\nhttps://github.com/acme/web/pull/9",
		Context: "feed web-prs · 2026-12-03 10:00 UTC · preview from `feeds test` by U0OPER"}}}
	if got := r.poster.Take(); !reflect.DeepEqual(got, want) {
		t.Errorf("posted\n%#v\nwant\n%#v", got, want)
	}
	if rep := ask("U0OPER", "feeds test status"); rep.Text != "Feed status: 401 Unauthorized: the credentials were refused" {
		t.Errorf("failing source: %+v", rep)
	}
	if rep := ask("U0OPER", "feeds test nope"); rep.Text != `No feed "nope". `+"`feeds`"+` lists them.` {
		t.Errorf("unknown: %+v", rep)
	}
}
