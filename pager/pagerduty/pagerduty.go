// Package pagerduty pages through PagerDuty's Events API v2: one event per
// page to POST /v2/enqueue, with the service's routing key, a dedup_key so
// that repeats update one incident, and resolve events that close it.
package pagerduty

import (
	"context"
	"net/http"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/pager/internal/post"
)

// DefaultURL is the Events API's base.
const DefaultURL = "https://events.pagerduty.com"

// Notifier sends events for one routing key.
type Notifier struct {
	URL        string // base, default DefaultURL
	RoutingKey string
	Client     *http.Client
}

// New is a Notifier for routingKey at base (DefaultURL when empty).
func New(base, routingKey string, c *http.Client) *Notifier {
	if base == "" {
		base = DefaultURL
	}
	if c == nil {
		c = http.DefaultClient
	}
	return &Notifier{URL: strings.TrimRight(base, "/"), RoutingKey: routingKey, Client: c}
}

// Event is the Events API v2 body.
type Event struct {
	RoutingKey  string   `json:"routing_key"`
	EventAction string   `json:"event_action"`
	DedupKey    string   `json:"dedup_key,omitempty"`
	Payload     *Payload `json:"payload,omitempty"`
	Client      string   `json:"client,omitempty"`
	Links       []Link   `json:"links,omitempty"`
}

// Payload describes a triggered alert.
type Payload struct {
	Summary       string            `json:"summary"`
	Source        string            `json:"source"`
	Severity      string            `json:"severity"`
	Component     string            `json:"component,omitempty"`
	CustomDetails map[string]string `json:"custom_details,omitempty"`
}

// Link is a link shown on the incident.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// Notify sends p. PagerDuty answers 202 when it accepted the event.
func (n *Notifier) Notify(ctx context.Context, p opsbot.Page) (retry bool, err error) {
	return post.JSON(ctx, n.Client, n.URL+"/v2/enqueue", nil, EventFor(n.RoutingKey, p), http.StatusAccepted)
}

// EventFor renders p as an event for routingKey.
func EventFor(routingKey string, p opsbot.Page) Event {
	e := Event{RoutingKey: routingKey, EventAction: string(p.Action), DedupKey: p.DedupKey}
	if p.Action == opsbot.PageResolve {
		return e
	}
	e.EventAction = string(opsbot.PageTrigger)
	e.Client = "opsbot"
	e.Payload = &Payload{
		Summary:       post.Truncate(p.Summary, 1024),
		Source:        nonEmpty(p.Source, "opsbot"),
		Severity:      Severity(p.Severity),
		Component:     p.Service,
		CustomDetails: p.Details,
	}
	for _, l := range p.Links {
		e.Links = append(e.Links, Link{Href: l.Href, Text: l.Text})
	}
	return e
}

// Severity maps to PagerDuty's four severities (critical by default).
func Severity(s string) string {
	switch s {
	case "critical", "error", "warning", "info":
		return s
	}
	return "critical"
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
