// Package opsgenie pages through Opsgenie's Alert API: POST /v2/alerts
// creates an alert whose alias is the dedup key (a repeat with an open
// alias adds to the same alert), POST /v2/alerts/{alias}/close closes it.
// The key goes in `Authorization: GenieKey …`.
package opsgenie

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/pager/internal/post"
)

// DefaultURL is the API base (EU accounts use https://api.eu.opsgenie.com).
const DefaultURL = "https://api.opsgenie.com"

// Notifier sends alerts with one API key.
type Notifier struct {
	URL    string
	APIKey string
	Client *http.Client
}

// New is a Notifier for apiKey at base (DefaultURL when empty).
func New(base, apiKey string, c *http.Client) *Notifier {
	if base == "" {
		base = DefaultURL
	}
	if c == nil {
		c = http.DefaultClient
	}
	return &Notifier{URL: strings.TrimRight(base, "/"), APIKey: apiKey, Client: c}
}

// Alert is the create-alert body.
type Alert struct {
	Message     string            `json:"message"`
	Alias       string            `json:"alias,omitempty"`
	Description string            `json:"description,omitempty"`
	Priority    string            `json:"priority"`
	Source      string            `json:"source,omitempty"`
	Entity      string            `json:"entity,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Details     map[string]string `json:"details,omitempty"`
}

// Close is the close-alert body.
type Close struct {
	Source string `json:"source,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Notify creates or closes the alert for p. Opsgenie answers 202: the
// request is queued.
func (n *Notifier) Notify(ctx context.Context, p opsbot.Page) (retry bool, err error) {
	h := map[string]string{"Authorization": "GenieKey " + n.APIKey}
	if p.Action == opsbot.PageResolve {
		u := n.URL + "/v2/alerts/" + url.PathEscape(p.DedupKey) + "/close?identifierType=alias"
		return post.JSON(ctx, n.Client, u, h, CloseFor(p), http.StatusAccepted)
	}
	return post.JSON(ctx, n.Client, n.URL+"/v2/alerts", h, AlertFor(p), http.StatusAccepted)
}

// AlertFor renders p as an alert; links go into the description.
func AlertFor(p opsbot.Page) Alert {
	desc := p.Summary
	for _, l := range p.Links {
		desc += "\n" + l.Text + ": " + l.Href
	}
	return Alert{
		Message:     post.Truncate(p.Summary, 130),
		Alias:       post.Truncate(p.DedupKey, 512),
		Description: post.Truncate(desc, 15000),
		Priority:    Priority(p.Severity),
		Source:      p.Source,
		Entity:      p.Service,
		Tags:        []string{"opsbot", p.Service},
		Details:     p.Details,
	}
}

// CloseFor is the close body for p.
func CloseFor(p opsbot.Page) Close {
	return Close{Source: p.Source, Note: post.Truncate(p.Summary, 25000)}
}

// Priority maps a severity to Opsgenie's P1–P5.
func Priority(severity string) string {
	switch severity {
	case "error":
		return "P2"
	case "warning":
		return "P3"
	case "info":
		return "P5"
	}
	return "P1"
}
