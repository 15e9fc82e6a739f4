package main

import (
	"context"
	"maps"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/ingest"
)

// TestFeedsWiring: the README's example (a repository by webhook, a Jira
// project, a Bluesky account) mounts /hooks/github and /hooks/jira with
// secrets from the environment; a webhook source whose secret variable is
// empty stops serve instead of taking unsigned deliveries.
func TestFeedsWiring(t *testing.T) {
	c := config.Default()
	err := config.Decode([]byte(`
feeds:
  sources:
    - {name: web-prs, kind: github, repos: [acme/web], secret_env: GITHUB_WEBHOOK_SECRET, routes: [{scope: acme/web, room: "#eng-prs"}]}
    - {name: ops-tickets, kind: jira, secret_env: JIRA_WEBHOOK_SECRET, base_url: https://acme.atlassian.net, routes: [{scope: OPS, room: "#ops"}]}
    - {name: zendesk, kind: webhook, secret_env: ZD_SECRET, fields: {id: ticket.id, title: ticket.title}, routes: [{room: "#support"}]}
    - {name: status, kind: bluesky, accounts: [bsky.app], routes: [{room: "#watch"}]}
`), c)
	if err != nil || c.Validate() != nil {
		t.Fatal(err, c.Validate())
	}
	env := map[string]string{"GITHUB_WEBHOOK_SECRET": "s1", "JIRA_WEBHOOK_SECRET": "s2", "ZD_SECRET": "s3"}
	part, err := wireFeeds(c, nil, nil, nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(part.hooks)); !slices.Equal(got, []string{"/hooks/feeds/zendesk", "/hooks/github", "/hooks/jira"}) {
		t.Errorf("hooks %v", got)
	}
	delete(env, "JIRA_WEBHOOK_SECRET")
	if _, err := wireFeeds(c, nil, nil, nil, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "JIRA_WEBHOOK_SECRET is not set") {
		t.Errorf("missing secret: %v", err)
	}
}

// TestFeedsHooksMounted: serve's mux routes POST /hooks/github and
// /hooks/jira to the feeds' handlers (an unsigned delivery: 401) and
// refuses other methods.
func TestFeedsHooksMounted(t *testing.T) {
	c := config.Default()
	c.Feeds.Sources = []config.FeedSource{
		{Name: "web-prs", Kind: "github", SecretEnv: "S1", Routes: []config.FeedRoute{{Room: "#eng-prs"}}},
		{Name: "ops", Kind: "jira", SecretEnv: "S2", Routes: []config.FeedRoute{{Room: "#ops"}}},
	}
	part, err := wireFeeds(c, nil, nil, nil, func(string) string { return "secret" })
	if err != nil {
		t.Fatal(err)
	}
	mux := serveMux(context.Background(), nil, &globals{cfg: c}, &stack{feeds: part}, nil, ingest.NewMetrics())
	for _, tc := range []struct {
		method, path string
		want         int
	}{{"POST", "/hooks/github", 401}, {"POST", "/hooks/jira", 401}, {"GET", "/hooks/github", 405}, {"POST", "/hooks/feeds/nope", 404}} {
		rw := httptest.NewRecorder()
		mux.ServeHTTP(rw, httptest.NewRequest(tc.method, tc.path, strings.NewReader("{}")))
		if rw.Code != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rw.Code, tc.want)
		}
	}
}
