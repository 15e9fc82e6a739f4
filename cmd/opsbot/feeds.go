package main

import (
	"fmt"
	"net/http"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/feeds/github"
	"github.com/opsbot/opsbot/feeds/social"
	"github.com/opsbot/opsbot/feeds/tickets"
	"github.com/opsbot/opsbot/warehouse"
)

// feedsPart is the feeds: section wired: the hub (run by serve), its
// skill, and the webhook endpoints serve mounts (path → handler).
type feedsPart struct {
	hub   *feeds.Hub
	hooks map[string]http.Handler
}

// wireFeeds builds the sources of c; secrets and tokens come from the
// variables the config names, through getenv. A webhook source whose
// secret variable is empty is refused: an unsigned endpoint would take
// anyone's deliveries.
func wireFeeds(c *config.Config, w warehouse.Warehouse, poster opsbot.Poster, audit feeds.Auditor, getenv func(string) string) (*feedsPart, error) {
	var srcs []feeds.Source
	var pushed []config.FeedSource
	for _, s := range c.Feeds.Sources {
		src := feeds.Source{Name: s.Name, Kind: s.Kind, Routes: feedRoutes(s.Routes), Interval: s.Interval}
		if src.Interval == 0 {
			src.Interval = c.Feeds.Interval
		}
		p, err := feedPoller(s, getenv)
		if err != nil {
			return nil, err
		}
		if src.Poller = p; p == nil {
			pushed = append(pushed, s)
		}
		srcs = append(srcs, src)
	}
	hub := feeds.New(feeds.Options{Sources: srcs, Store: feeds.NewStore(w), Poster: poster, WarnRoom: c.Slack.Rooms.Warn, Auditor: audit})
	hooks, err := feedHooks(hub, pushed, getenv)
	return &feedsPart{hub: hub, hooks: hooks}, err
}

// feedHooks are the webhook endpoints of the pushed sources.
func feedHooks(hub *feeds.Hub, pushed []config.FeedSource, getenv func(string) string) (map[string]http.Handler, error) {
	hooks := map[string]http.Handler{}
	gh, jira := &github.Hook{Hub: hub}, &tickets.Jira{Hub: hub}
	for _, s := range pushed {
		key := []byte(getenv(s.SecretEnv))
		if len(key) == 0 {
			return nil, fmt.Errorf("feeds source %s: %s is not set (the webhook's secret)", s.Name, s.SecretEnv)
		}
		switch s.Kind {
		case "github":
			gh.Sources = append(gh.Sources, github.Source{Name: s.Name, Secret: key, Merged: s.Merged, Issues: s.Issues})
			hooks["/hooks/github"] = gh
		case "jira":
			jira.Sources = append(jira.Sources, tickets.JiraSource{Name: s.Name, Secret: key, BaseURL: s.BaseURL})
			hooks["/hooks/jira"] = jira
		default:
			hooks["/hooks/feeds/"+s.Name] = &tickets.Webhook{Hub: hub, Source: s.Name, Secret: key, Fields: tickets.Fields(s.Fields), Clock: opsbot.SystemClock{}}
		}
	}
	return hooks, nil
}

// feedPoller is the poller of a polled source, nil for a pushed one.
func feedPoller(s config.FeedSource, getenv func(string) string) (feeds.Poller, error) {
	switch {
	case s.Kind == "github" && s.Mode == "poll":
		client, err := github.NewClient(getenv(s.TokenEnv), s.BaseURL, nil)
		return &github.Poller{Client: client, Repos: s.Repos, Issues: s.Issues}, err
	case s.Kind == "github" || s.Kind == "jira" || s.Kind == "webhook":
		return nil, nil
	case s.Kind == "x" && getenv(s.TokenEnv) == "":
		return nil, fmt.Errorf("feeds source %s: %s is not set (X's bearer token)", s.Name, s.TokenEnv)
	}
	return socialPoller(s, getenv), nil
}

func socialPoller(s config.FeedSource, getenv func(string) string) feeds.Poller {
	switch s.Kind {
	case "bluesky":
		return &social.Bluesky{BaseURL: s.BaseURL, Accounts: s.Accounts}
	case "mastodon":
		return &social.Mastodon{BaseURL: s.BaseURL, Accounts: s.Accounts}
	case "x":
		return &social.X{BaseURL: s.BaseURL, Accounts: s.Accounts,
			Fetch: feeds.Fetch{Header: http.Header{"Authorization": {"Bearer " + getenv(s.TokenEnv)}}}}
	}
	return &social.RSS{URL: s.URL}
}

func feedRoutes(rs []config.FeedRoute) []feeds.Route {
	out := make([]feeds.Route, len(rs))
	for i, r := range rs {
		out[i] = feeds.Route(r)
	}
	return out
}
