package social_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/feeds/feedstest"
	"github.com/opsbot/opsbot/feeds/social"
)

// routes answers each request's path and query from a map, keeping them.
type routes struct {
	*httptest.Server
	mu   sync.Mutex
	ans  map[string]any
	reqs []string
}

func newRoutes(t *testing.T) *routes {
	r := &routes{ans: map[string]any{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.reqs = append(r.reqs, q.Method+" "+q.URL.RequestURI()+" auth="+q.Header.Get("Authorization"))
		a, ok := r.ans[q.URL.RequestURI()]
		if !ok {
			http.Error(w, `{"error":"NotFound"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(a)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *routes) set(uri string, v any) { r.mu.Lock(); r.ans[uri] = v; r.mu.Unlock() }
func (r *routes) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	x := r.reqs
	r.reqs = nil
	return x
}

// bskyPost is a feedViewPost as app.bsky.feed.getAuthorFeed documents it.
func bskyPost(rkey, handle, text, at string, reply bool, repostAt string) map[string]any {
	rec := map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": at, "langs": []string{"en"}}
	if reply {
		rec["reply"] = map[string]any{"root": map[string]any{"uri": "at://did:plc:other/app.bsky.feed.post/3kroot", "cid": "bafyroot"},
			"parent": map[string]any{"uri": "at://did:plc:other/app.bsky.feed.post/3kroot", "cid": "bafyroot"}}
	}
	p := map[string]any{"post": map[string]any{"uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/" + rkey, "cid": "bafy" + rkey,
		"author": map[string]any{"did": "did:plc:z72i7hdynmk6r22z27h6tvur", "handle": handle, "displayName": "Bluesky"},
		"record": rec, "replyCount": 0, "repostCount": 0, "likeCount": 0, "indexedAt": at}}
	if repostAt != "" {
		p["reason"] = map[string]any{"$type": "app.bsky.feed.defs#reasonRepost", "by": map[string]any{"did": "did:plc:z72i7hdynmk6r22z27h6tvur", "handle": "bsky.app"}, "indexedAt": repostAt}
	}
	return p
}

// TestBluesky: replies and reposts are left out unless a route asks for
// them; a post's text is cut cleanly; the link is the post's bsky.app page.
func TestBluesky(t *testing.T) {
	ctx := context.Background()
	r := feedstest.NewRig(t)
	api := newRoutes(t)
	const uri = "/xrpc/app.bsky.feed.getAuthorFeed?actor=bsky.app&limit=30"
	api.set(uri, map[string]any{"feed": []any{bskyPost("3k1", "bsky.app", "old", "2026-12-01T10:00:00.000Z", false, "")}})
	src := feeds.Source{Name: "bsky", Kind: "bluesky", Poller: &social.Bluesky{BaseURL: api.URL, Accounts: []string{"bsky.app"}, Fetch: feeds.Fetch{Client: api.Client()}},
		Routes: []feeds.Route{{Scope: "bsky.app", Room: "#watch"}, {Scope: "bsky.app", Room: "#threads", Replies: true, Reposts: true}}}
	hub := r.Hub(src)
	hub.PollOnce(ctx, "bsky")
	long := ""
	for i := range 120 {
		long += fmt.Sprintf("word%d ", i)
	}
	api.set(uri, map[string]any{"cursor": "2026-12-03T10:00:00.000Z", "feed": []any{
		bskyPost("3k4", "bsky.app", long, "2026-12-03T10:00:00.000Z", false, ""),
		bskyPost("3k3", "bsky.app", "@someone yes", "2026-12-03T09:00:00.000Z", true, ""),
		bskyPost("3k2", "friend.example", "shared", "2026-12-03T08:00:00.000Z", false, "2026-12-03T08:30:00.000Z"),
		bskyPost("3k1", "bsky.app", "old", "2026-12-01T10:00:00.000Z", false, ""),
	}})
	hub.PollOnce(ctx, "bsky")
	hub.Flush(ctx)
	got := r.Poster.Take()
	if len(got) != 2 || got[0].Channel != "#threads" || got[1].Channel != "#watch" || got[0].Reply.Title != "3 new items" {
		t.Fatalf("posted %#v", got)
	}
	want := opsbot.Reply{Title: "@bsky.app posted",
		Text:    wantCut(long, 500) + "\nhttps://bsky.app/profile/bsky.app/post/3k4",
		Context: "feed bsky · 2026-12-03 10:00 UTC"}
	if !reflect.DeepEqual(got[1].Reply, want) {
		t.Errorf("#watch\n%#v\nwant\n%#v", got[1].Reply, want)
	}
	wantThreads := "• @bsky.app reposted @friend.example: shared — https://bsky.app/profile/friend.example/post/3k2\n" +
		"• @bsky.app: @someone yes — https://bsky.app/profile/bsky.app/post/3k3\n" +
		"• @bsky.app: " + wantCut(long, 120) + " — https://bsky.app/profile/bsky.app/post/3k4"
	if got[0].Reply.Text != wantThreads {
		t.Errorf("#threads\n%s\nwant\n%s", got[0].Reply.Text, wantThreads)
	}
	if reqs := api.take(); len(reqs) != 2 || reqs[0] != "GET "+uri+" auth=" {
		t.Errorf("requests %q", reqs)
	}
}

// wantCut is s cut to n runes at the last space before, with "…".
func wantCut(s string, n int) string {
	r := []rune(s)[:n-1]
	i := len(r) - 1
	for r[i] != ' ' {
		i--
	}
	return string(r[:i]) + "…"
}
