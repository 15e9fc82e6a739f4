// Package social is the watched-accounts side of feeds: the public posts
// of Bluesky accounts (the public AppView's app.bsky.feed.getAuthorFeed, no
// auth), Mastodon accounts (an instance's account statuses), X accounts
// (the v2 user timeline, with a bearer token) and any RSS or Atom feed
// (parsed by mmcdole/gofeed). Each is a feeds.Poller; replies and reposts
// are marked on the items and the routes decide whether they pass.
package social

import (
	"encoding/json"
	"fmt"

	"github.com/opsbot/opsbot/feeds"
)

// accounts is the cursor of a multi-account poller: per account, its
// state (an ETag, a last id). An account missing from it was never read:
// its items are the baseline.
type accounts map[string]account

type account struct {
	ID    string `json:"id,omitempty"`    // the service's id of the account (Mastodon, X)
	Since string `json:"since,omitempty"` // the newest post id seen
	ETag  string `json:"etag,omitempty"`
}

func readCursor(c feeds.Cursor) (accounts, error) {
	a := accounts{}
	if c.Value == "" {
		return a, nil
	}
	if err := json.Unmarshal([]byte(c.Value), &a); err != nil {
		return nil, fmt.Errorf("cursor: %w", err)
	}
	return a, nil
}

func (a accounts) cursor() feeds.Cursor {
	b, _ := json.Marshal(a)
	return feeds.Cursor{Value: string(b)}
}

// pollEach polls every account with one, stopping at the first failure
// (the cursor then stays where it was); items of an account read for the
// first time are marked as the baseline.
func pollEach(cur feeds.Cursor, names []string, one func(name string, st account) ([]feeds.Item, account, error)) ([]feeds.Item, feeds.Cursor, error) {
	states, err := readCursor(cur)
	if err != nil {
		return nil, cur, err
	}
	var items []feeds.Item
	for _, n := range names {
		st, known := states[n]
		got, next, err := one(n, st)
		if err != nil {
			return nil, cur, fmt.Errorf("%s: %w", n, err)
		}
		for i := range got {
			got[i].Baseline = !known
		}
		items, states[n] = append(items, got...), next
	}
	return items, states.cursor(), nil
}
