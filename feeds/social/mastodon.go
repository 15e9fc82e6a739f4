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

// Mastodon polls accounts' public statuses on an instance:
// GET /api/v1/accounts/lookup?acct=NAME once for the account's id, then
// GET /api/v1/accounts/ID/statuses?limit=40 (since_id the newest seen).
type Mastodon struct {
	BaseURL  string // the instance, https://mastodon.social
	Accounts []string
	Fetch    feeds.Fetch
}

// status is the part of Mastodon's Status entity feeds reads.
type status struct {
	ID          string    `json:"id"`
	CreatedAt   time.Time `json:"created_at"`
	InReplyTo   *string   `json:"in_reply_to_id"`
	URL         string    `json:"url"`
	Content     string    `json:"content"`
	SpoilerText string    `json:"spoiler_text"`
	Account     struct {
		Acct string `json:"acct"`
	} `json:"account"`
	Reblog *status `json:"reblog"`
}

// Poll reads each account's statuses since the newest seen.
func (m *Mastodon) Poll(ctx context.Context, cur feeds.Cursor) ([]feeds.Item, feeds.Cursor, error) {
	return pollEach(cur, m.Accounts, func(name string, st account) ([]feeds.Item, account, error) {
		return m.account(ctx, name, st)
	})
}

func (m *Mastodon) account(ctx context.Context, name string, st account) ([]feeds.Item, account, error) {
	base := strings.TrimRight(m.BaseURL, "/")
	if st.ID == "" {
		var a struct{ ID string }
		if err := m.get(ctx, base+"/api/v1/accounts/lookup?"+url.Values{"acct": {name}}.Encode(), &a); err != nil {
			return nil, st, err
		}
		st.ID = a.ID
	}
	q := url.Values{"limit": {"40"}}
	if st.Since != "" {
		q.Set("since_id", st.Since)
	}
	var list []status
	if err := m.get(ctx, base+"/api/v1/accounts/"+url.PathEscape(st.ID)+"/statuses?"+q.Encode(), &list); err != nil {
		return nil, st, err
	}
	items := make([]feeds.Item, 0, len(list))
	for _, s := range list {
		items = append(items, statusItem(name, s))
		if newer(s.ID, st.Since) {
			st.Since = s.ID
		}
	}
	return items, st, nil
}

func (m *Mastodon) get(ctx context.Context, u string, v any) error {
	got, err := m.Fetch.Get(ctx, u, "")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(got.Body, v); err != nil {
		return fmt.Errorf("mastodon answer: %w", err)
	}
	return nil
}

func statusItem(name string, s status) feeds.Item {
	it := feeds.Item{ID: s.ID, Kind: feeds.KindPost, Scope: name, Author: "@" + s.Account.Acct, Link: s.URL,
		Text: feeds.PlainText(s.Content), Time: s.CreatedAt, Reply: s.InReplyTo != nil}
	if s.SpoilerText != "" {
		it.Text = "CW: " + s.SpoilerText // the text stays behind its content warning
	}
	if s.Reblog != nil {
		it.Repost, it.Event, it.Link = true, "boosted", s.Reblog.URL
		it.Author = "@" + s.Account.Acct + " boosted @" + s.Reblog.Account.Acct
		it.Text = feeds.PlainText(s.Reblog.Content)
	}
	return it
}

// newer compares Mastodon's ids: decimal strings, longer is newer.
func newer(a, b string) bool {
	return len(a) > len(b) || (len(a) == len(b) && a > b)
}
