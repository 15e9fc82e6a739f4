package feeds_test

import (
	"slices"
	"testing"

	"github.com/opsbot/opsbot/feeds"
)

// TestRoutes: each filter alone, and an item going to every room that
// takes it, once.
func TestRoutes(t *testing.T) {
	draft := pr(1, "WIP: cache headers")
	draft.Draft = true
	ticket := feeds.Item{ID: "OPS-1", Kind: feeds.KindTicket, Scope: "OPS", Priority: "High", Title: "Origin down"}
	reply := feeds.Item{ID: "p1", Kind: feeds.KindPost, Scope: "bsky.app", Text: "yes", Reply: true}
	cases := []struct {
		r    feeds.Route
		it   feeds.Item
		want bool
	}{
		{feeds.Route{Scope: "acme/*"}, pr(1, "x"), true},
		{feeds.Route{Scope: "ACME/WEB"}, pr(1, "x"), true},
		{feeds.Route{Scope: "other/*"}, pr(1, "x"), false},
		{feeds.Route{Labels: []string{"CDN", "dns"}}, pr(1, "x"), true},
		{feeds.Route{Labels: []string{"dns"}}, pr(1, "x"), false},
		{feeds.Route{Base: []string{"release"}}, pr(1, "x"), false},
		{feeds.Route{Drafts: "exclude"}, draft, false},
		{feeds.Route{Drafts: "only"}, pr(1, "x"), false},
		{feeds.Route{Drafts: "only"}, draft, true},
		{feeds.Route{Events: []string{"merged"}}, pr(1, "x"), false},
		{feeds.Route{Priority: []string{"highest", "high"}}, ticket, true},
		{feeds.Route{Priority: []string{"Low"}}, ticket, false},
		{feeds.Route{Keywords: []string{"ORIGIN"}}, ticket, true},
		{feeds.Route{Keywords: []string{"cdn"}}, ticket, false},
		{feeds.Route{}, reply, false},
		{feeds.Route{Replies: true}, reply, true},
	}
	for i, c := range cases {
		if got := c.r.Match(c.it); got != c.want {
			t.Errorf("%d: %+v on %s: %v", i, c.r, c.it.ID, got)
		}
	}
	rs := []feeds.Route{{Room: "#a"}, {Scope: "acme/web", Room: "#b"}, {Room: "#a"}, {Scope: "x/y", Room: "#c"}}
	if got := feeds.Rooms(rs, pr(1, "x")); !slices.Equal(got, []string{"#a", "#b"}) {
		t.Errorf("rooms %v", got)
	}
}
