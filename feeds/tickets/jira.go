package tickets

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/opsbot/opsbot/feeds"
)

// JiraSource is one Jira Cloud webhook source.
type JiraSource struct {
	Name    string
	Secret  []byte // the webhook's secret, from the environment
	BaseURL string // the site, https://acme.atlassian.net; "" reads it from the issue's self link
}

// Jira answers Jira Cloud's deliveries on /hooks/jira. Jira signs a
// webhook that has a secret with X-Hub-Signature: sha256=HMAC-SHA256 of
// the body, and names each delivery (the same on retries) in
// X-Atlassian-Webhook-Identifier. Only jira:issue_created is posted; the
// item's scope is the project key.
type Jira struct {
	Hub     *feeds.Hub
	Sources []JiraSource
	Log     *slog.Logger
}

type jiraEvent struct {
	Event string `json:"webhookEvent"`
	Issue struct {
		Self   string `json:"self"`
		Key    string `json:"key"`
		Fields struct {
			Summary  string                 `json:"summary"`
			Priority *struct{ Name string } `json:"priority"`
			Reporter *struct {
				DisplayName string `json:"displayName"`
			} `json:"reporter"`
			Project struct{ Key string } `json:"project"`
			Labels  []string             `json:"labels"`
			Created string               `json:"created"`
		} `json:"fields"`
	} `json:"issue"`
	Timestamp int64 `json:"timestamp"`
}

func (j *Jira) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	secrets := map[string][]byte{}
	for _, s := range j.Sources {
		secrets[s.Name] = s.Secret
	}
	receive(rw, r, j.Hub, logOr(j.Log), "X-Hub-Signature", "X-Atlassian-Webhook-Identifier", secrets, j.items)
}

func (j *Jira) items(source string, body []byte) ([]feeds.Item, error) {
	var e jiraEvent
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("jira payload: %w", err)
	}
	if e.Event != "jira:issue_created" || e.Issue.Key == "" {
		return nil, nil
	}
	f := e.Issue.Fields
	it := feeds.Item{ID: e.Issue.Key, Kind: feeds.KindTicket, Scope: f.Project.Key, Key: e.Issue.Key, Event: "created",
		Title: f.Summary, Link: j.browse(source, e.Issue.Self, e.Issue.Key), Labels: f.Labels, Time: millis(e.Timestamp)}
	if f.Priority != nil {
		it.Priority = f.Priority.Name
	}
	if f.Reporter != nil {
		it.Author = f.Reporter.DisplayName
	}
	return []feeds.Item{it}, nil
}

// browse is the issue's page: SITE/browse/KEY.
func (j *Jira) browse(source, self, key string) string {
	site := ""
	for _, s := range j.Sources {
		if s.Name == source {
			site = s.BaseURL
		}
	}
	if site == "" {
		if u, err := url.Parse(self); err == nil {
			site = u.Scheme + "://" + u.Host
		}
	}
	return strings.TrimRight(site, "/") + "/browse/" + url.PathEscape(key)
}

// millis is Jira's timestamp (milliseconds since the epoch).
func millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
