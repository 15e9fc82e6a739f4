package social_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/feeds/feedstest"
	"github.com/opsbot/opsbot/feeds/social"
)

// mstatus is a Status entity as Mastodon's API documents it.
func mstatus(id, acct, content, at string, reblog map[string]any) map[string]any {
	return map[string]any{"id": id, "created_at": at, "in_reply_to_id": nil, "in_reply_to_account_id": nil, "sensitive": false,
		"spoiler_text": "", "visibility": "public", "language": "en", "uri": "https://mastodon.social/users/" + acct + "/statuses/" + id,
		"url": "https://mastodon.social/@" + acct + "/" + id, "content": content, "reblog": reblog,
		"account": map[string]any{"id": "13179", "username": acct, "acct": acct, "display_name": acct}}
}

// TestMastodon: the account's id is looked up once; later polls ask
// since_id the newest seen; HTML content becomes text; boosts stay out of
// a route that does not want reposts.
func TestMastodon(t *testing.T) {
	ctx := context.Background()
	r := feedstest.NewRig(t)
	api := newRoutes(t)
	api.set("/api/v1/accounts/lookup?acct=Mastodon", map[string]any{"id": "13179", "username": "Mastodon", "acct": "Mastodon"})
	api.set("/api/v1/accounts/13179/statuses?limit=40", []any{mstatus("109000000000000001", "Mastodon", "<p>old</p>", "2026-12-01T10:00:00.000Z", nil)})
	src := feeds.Source{Name: "masto", Kind: "mastodon", Poller: &social.Mastodon{BaseURL: api.URL, Accounts: []string{"Mastodon"}, Fetch: feeds.Fetch{Client: api.Client()}},
		Routes: []feeds.Route{{Room: "#watch"}}}
	hub := r.Hub(src)
	hub.PollOnce(ctx, "masto")
	boosted := mstatus("109000000000000002", "Gargron", "<p>boosted</p>", "2026-12-03T09:00:00.000Z", nil)
	api.set("/api/v1/accounts/13179/statuses?limit=40&since_id=109000000000000001", []any{
		mstatus("109000000000000004", "Mastodon", `<p>Version 4.5 is out &amp; <a href="https://blog.joinmastodon.org/">here</a>!</p><p>Read <span>the notes</span>.</p>`, "2026-12-03T10:00:00.000Z", nil),
		mstatus("109000000000000003", "Mastodon", "", "2026-12-03T09:30:00.000Z", boosted),
	})
	hub.PollOnce(ctx, "masto")
	hub.Flush(ctx)
	want := []opsbot.Message{{Channel: "#watch", Reply: opsbot.Reply{Title: "@Mastodon posted",
		Text:    "Version 4.5 is out & here!\n\nRead the notes.\nhttps://mastodon.social/@Mastodon/109000000000000004",
		Context: "feed masto · 2026-12-03 10:00 UTC"}}}
	if got := r.Poster.Take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, want)
	}
	wantReqs := []string{"GET /api/v1/accounts/lookup?acct=Mastodon auth=", "GET /api/v1/accounts/13179/statuses?limit=40 auth=",
		"GET /api/v1/accounts/13179/statuses?limit=40&since_id=109000000000000001 auth="}
	if got := api.take(); !reflect.DeepEqual(got, wantReqs) {
		t.Errorf("requests %q", got)
	}
}
