package social_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/feeds/feedstest"
	"github.com/opsbot/opsbot/feeds/social"
)

// TestX: the user is looked up once by username, the timeline read with
// the bearer token and since_id; retweets stay out of a route that does
// not want reposts.
func TestX(t *testing.T) {
	ctx := context.Background()
	r := feedstest.NewRig(t)
	api := newRoutes(t)
	api.set("/2/users/by/username/github", map[string]any{"data": map[string]any{"id": "13334762", "name": "GitHub", "username": "github"}})
	const tl = "/2/users/13334762/tweets?max_results=10&tweet.fields=created_at%2Creferenced_tweets"
	api.set(tl, map[string]any{"data": []any{map[string]any{"id": "1860000000000000001", "text": "old", "created_at": "2026-12-01T10:00:00.000Z"}},
		"meta": map[string]any{"newest_id": "1860000000000000001", "result_count": 1}})
	src := feeds.Source{Name: "x-github", Kind: "x", Routes: []feeds.Route{{Room: "#watch"}},
		Poller: &social.X{BaseURL: api.URL, Accounts: []string{"github"},
			Fetch: feeds.Fetch{Client: api.Client(), Header: http.Header{"Authorization": {"Bearer AAAA-test"}}}}}
	hub := r.Hub(src)
	hub.PollOnce(ctx, "x-github")
	const since = "/2/users/13334762/tweets?max_results=10&since_id=1860000000000000001&tweet.fields=created_at%2Creferenced_tweets"
	api.set(since, map[string]any{"data": []any{
		map[string]any{"id": "1860000000000000003", "text": "Copilot & Actions news", "created_at": "2026-12-03T10:00:00.000Z"},
		map[string]any{"id": "1860000000000000002", "text": "RT @someone: hi", "created_at": "2026-12-03T09:00:00.000Z",
			"referenced_tweets": []any{map[string]any{"type": "retweeted", "id": "1859999"}}},
	}, "meta": map[string]any{"newest_id": "1860000000000000003", "result_count": 2}})
	hub.PollOnce(ctx, "x-github")
	hub.Flush(ctx)
	want := []opsbot.Message{{Channel: "#watch", Reply: opsbot.Reply{Title: "@github posted",
		Text: "Copilot & Actions news\nhttps://x.com/github/status/1860000000000000003", Context: "feed x-github · 2026-12-03 10:00 UTC"}}}
	if got := r.Poster.Take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, want)
	}
	wantReqs := []string{"GET /2/users/by/username/github auth=Bearer AAAA-test", "GET " + tl + " auth=Bearer AAAA-test",
		"GET " + since + " auth=Bearer AAAA-test"}
	if got := api.take(); !reflect.DeepEqual(got, wantReqs) {
		t.Errorf("requests %q", got)
	}
}
