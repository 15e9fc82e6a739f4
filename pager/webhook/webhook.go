// Package webhook pages through any HTTP endpoint: the page as a JSON POST,
// with an optional bearer token. Any 2xx is success. It is the way out when
// a pager vendor goes away (Opsgenie ends in April 2027).
package webhook

import (
	"context"
	"net/http"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/pager/internal/post"
)

// Notifier posts pages to URL.
type Notifier struct {
	URL    string
	Token  string // sent as Authorization: Bearer, when set
	Client *http.Client
}

// New is a Notifier posting to url.
func New(url, token string, c *http.Client) *Notifier {
	if c == nil {
		c = http.DefaultClient
	}
	return &Notifier{URL: url, Token: token, Client: c}
}

// Body is what the endpoint receives.
type Body struct {
	Service  string            `json:"service"`
	Action   string            `json:"action"`
	DedupKey string            `json:"dedup_key"`
	Summary  string            `json:"summary"`
	Severity string            `json:"severity"`
	Source   string            `json:"source"`
	Links    []Link            `json:"links,omitempty"`
	Details  map[string]string `json:"details,omitempty"`
}

// Link is a labelled URL.
type Link struct {
	Text string `json:"text"`
	Href string `json:"href"`
}

// Notify posts p.
func (n *Notifier) Notify(ctx context.Context, p opsbot.Page) (retry bool, err error) {
	var h map[string]string
	if n.Token != "" {
		h = map[string]string{"Authorization": "Bearer " + n.Token}
	}
	return post.JSON(ctx, n.Client, n.URL, h, BodyFor(p))
}

// BodyFor renders p.
func BodyFor(p opsbot.Page) Body {
	b := Body{Service: p.Service, Action: string(p.Action), DedupKey: p.DedupKey,
		Summary: post.Truncate(p.Summary, 1024), Severity: p.Severity, Source: p.Source, Details: p.Details}
	if b.Action == "" {
		b.Action = string(opsbot.PageTrigger)
	}
	for _, l := range p.Links {
		b.Links = append(b.Links, Link{Text: l.Text, Href: l.Href})
	}
	return b
}
