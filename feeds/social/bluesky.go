package social

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/opsbot/opsbot/feeds"
)

// Bluesky polls accounts' posts through the public AppView:
// GET {BaseURL}/xrpc/app.bsky.feed.getAuthorFeed?actor=HANDLE&limit=30.
type Bluesky struct {
	BaseURL  string // default https://public.api.bsky.app
	Accounts []string
	Fetch    feeds.Fetch
}

// authorFeed is the part of getAuthorFeed's answer feeds reads (lexicon
// app.bsky.feed.getAuthorFeed, app.bsky.feed.defs#feedViewPost).
type authorFeed struct {
	Feed []struct {
		Post struct {
			URI    string `json:"uri"`
			Author struct {
				Handle      string `json:"handle"`
				DisplayName string `json:"displayName"`
			} `json:"author"`
			Record struct {
				Text      string    `json:"text"`
				CreatedAt time.Time `json:"createdAt"`
				Reply     *struct{} `json:"reply"`
			} `json:"record"`
		} `json:"post"`
		Reason *struct {
			Type      string    `json:"$type"`
			IndexedAt time.Time `json:"indexedAt"`
		} `json:"reason"`
	} `json:"feed"`
}

// Poll reads each account's latest page.
func (b *Bluesky) Poll(ctx context.Context, cur feeds.Cursor) ([]feeds.Item, feeds.Cursor, error) {
	return pollEach(cur, b.Accounts, func(name string, st account) ([]feeds.Item, account, error) {
		return b.account(ctx, name, st)
	})
}

func (b *Bluesky) account(ctx context.Context, handle string, st account) ([]feeds.Item, account, error) {
	base := strings.TrimRight(b.BaseURL, "/")
	if base == "" {
		base = "https://public.api.bsky.app"
	}
	u := base + "/xrpc/app.bsky.feed.getAuthorFeed?" + url.Values{"actor": {handle}, "limit": {"30"}}.Encode()
	got, err := b.Fetch.Get(ctx, u, st.ETag)
	if err != nil || got.NotModified {
		return nil, st, err
	}
	var f authorFeed
	if err := json.Unmarshal(got.Body, &f); err != nil {
		return nil, st, fmt.Errorf("getAuthorFeed answer: %w", err)
	}
	var items []feeds.Item
	for _, e := range f.Feed {
		p := e.Post
		it := feeds.Item{ID: p.URI, Kind: feeds.KindPost, Scope: handle, Author: "@" + p.Author.Handle, Text: p.Record.Text,
			Link: postLink(p.Author.Handle, p.URI), Time: p.Record.CreatedAt, Reply: p.Record.Reply != nil}
		if e.Reason != nil && strings.HasSuffix(e.Reason.Type, "#reasonRepost") {
			it.ID, it.Repost, it.Time, it.Event = "repost:"+p.URI, true, e.Reason.IndexedAt, "reposted"
			it.Author = "@" + handle + " reposted @" + p.Author.Handle
		}
		items = append(items, it)
	}
	st.ETag = got.ETag
	return items, st, nil
}

// postLink is the bsky.app page of at://DID/app.bsky.feed.post/RKEY.
func postLink(handle, uri string) string {
	i := strings.LastIndex(uri, "/")
	if i < 0 || !strings.Contains(uri, "/app.bsky.feed.post/") {
		return ""
	}
	return "https://bsky.app/profile/" + url.PathEscape(handle) + "/post/" + url.PathEscape(uri[i+1:])
}
