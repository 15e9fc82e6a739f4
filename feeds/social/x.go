package social

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/opsbot/opsbot/feeds"
)

// X polls accounts' posts through X's API v2 (paid; the bearer token
// comes from the environment, set in Fetch.Header):
// GET /2/users/by/username/NAME once for the id, then
// GET /2/users/ID/tweets?max_results=10&tweet.fields=created_at,referenced_tweets
// (since_id the newest seen).
type X struct {
	BaseURL  string // default https://api.x.com
	Accounts []string
	Fetch    feeds.Fetch
}

type tweet struct {
	ID         string    `json:"id"`
	Text       string    `json:"text"`
	CreatedAt  time.Time `json:"created_at"`
	Referenced []struct {
		Type string `json:"type"`
	} `json:"referenced_tweets"`
}

// Poll reads each account's posts since the newest seen.
func (x *X) Poll(ctx context.Context, cur feeds.Cursor) ([]feeds.Item, feeds.Cursor, error) {
	return pollEach(cur, x.Accounts, func(name string, st account) ([]feeds.Item, account, error) {
		return x.account(ctx, name, st)
	})
}

func (x *X) account(ctx context.Context, name string, st account) ([]feeds.Item, account, error) {
	base := strings.TrimRight(x.BaseURL, "/")
	if base == "" {
		base = "https://api.x.com"
	}
	if st.ID == "" {
		var u struct{ Data struct{ ID string } }
		if err := x.get(ctx, base+"/2/users/by/username/"+url.PathEscape(name), &u); err != nil {
			return nil, st, err
		}
		st.ID = u.Data.ID
	}
	q := url.Values{"max_results": {"10"}, "tweet.fields": {"created_at,referenced_tweets"}}
	if st.Since != "" {
		q.Set("since_id", st.Since)
	}
	var res struct{ Data []tweet }
	if err := x.get(ctx, base+"/2/users/"+url.PathEscape(st.ID)+"/tweets?"+q.Encode(), &res); err != nil {
		return nil, st, err
	}
	var items []feeds.Item
	for _, t := range res.Data {
		kinds := make([]string, len(t.Referenced))
		for i, r := range t.Referenced {
			kinds[i] = r.Type
		}
		items = append(items, feeds.Item{ID: t.ID, Kind: feeds.KindPost, Scope: name, Author: "@" + name, Text: t.Text,
			Link: "https://x.com/" + url.PathEscape(name) + "/status/" + url.PathEscape(t.ID), Time: t.CreatedAt,
			Reply: slices.Contains(kinds, "replied_to"), Repost: slices.Contains(kinds, "retweeted")})
		if newer(t.ID, st.Since) {
			st.Since = t.ID
		}
	}
	return items, st, nil
}

func (x *X) get(ctx context.Context, u string, v any) error {
	got, err := x.Fetch.Get(ctx, u, "")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(got.Body, v); err != nil {
		return fmt.Errorf("x answer: %w", err)
	}
	return nil
}
