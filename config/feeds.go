package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Feeds is the `feeds:` section: sources whose new items (pull requests,
// tickets, posts of watched accounts) are posted to rooms, once each
// (package feeds). Webhook secrets and tokens come from the environment
// variables named by secret_env and token_env, never from this file.
type Feeds struct {
	// Interval between two polls of a polled source (default 5m); a source
	// may set its own.
	Interval time.Duration `yaml:"interval"`
	Sources  []FeedSource  `yaml:"sources"`
}

// FeedSource is one source. Kind says which other keys it takes:
//   - github: repos; mode webhook (deliveries on /hooks/github, signed with
//     the secret in secret_env) or poll (REST, token in token_env, optional);
//     merged, issues; base_url for GitHub Enterprise (https://HOST/api/v3).
//   - jira: Jira Cloud webhooks on /hooks/jira (jira:issue_created), signed
//     with the secret in secret_env; base_url is the site (for links).
//   - webhook: any tracker on /hooks/feeds/NAME, signed (X-Signature-256:
//     sha256=HMAC of the body) with the secret in secret_env; fields maps
//     the item's fields to JSON paths of the payload.
//   - bluesky: accounts (handles); base_url the AppView (default
//     https://public.api.bsky.app).
//   - mastodon: accounts on the instance base_url.
//   - rss: url of an RSS or Atom feed.
//   - x: accounts, with the bearer token in token_env (X's API is paid).
type FeedSource struct {
	Name      string        `yaml:"name"`
	Kind      string        `yaml:"kind"`
	Mode      string        `yaml:"mode"`
	Repos     []string      `yaml:"repos"`
	Accounts  []string      `yaml:"accounts"`
	URL       string        `yaml:"url"`
	BaseURL   string        `yaml:"base_url"`
	SecretEnv string        `yaml:"secret_env"`
	TokenEnv  string        `yaml:"token_env"`
	Merged    bool          `yaml:"merged"`
	Issues    bool          `yaml:"issues"`
	Fields    FeedFields    `yaml:"fields"`
	Interval  time.Duration `yaml:"interval"`
	Routes    []FeedRoute   `yaml:"routes"`
}

// FeedFields map a generic webhook's JSON payload to an item: each is a
// dotted path (ticket.title, data.0.url).
type FeedFields struct {
	ID       string `yaml:"id"`
	Scope    string `yaml:"scope"`
	Title    string `yaml:"title"`
	Link     string `yaml:"link"`
	Author   string `yaml:"author"`
	Priority string `yaml:"priority"`
}

// FeedRoute sends the items of a source that match to a room. Empty
// filters pass everything.
type FeedRoute struct {
	Scope    string   `yaml:"scope"` // repository, project or account; a glob ("acme/*"); empty: all
	Room     string   `yaml:"room"`
	Events   []string `yaml:"events"`   // opened, reopened, ready for review, merged, created
	Labels   []string `yaml:"labels"`   // any of
	Base     []string `yaml:"base"`     // PRs into these branches
	Drafts   string   `yaml:"drafts"`   // include (default), exclude, only
	Priority []string `yaml:"priority"` // ticket priorities
	Keywords []string `yaml:"keywords"` // in the title or text
	Replies  bool     `yaml:"replies"`  // posts answering another pass too
	Reposts  bool     `yaml:"reposts"`  // reposts pass too
}

var (
	feedKinds  = []string{"github", "jira", "webhook", "bluesky", "mastodon", "rss", "x"}
	feedNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	feedRepoRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	feedPathRE = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)
)

func (c *Feeds) defaults() { c.Interval = 5 * time.Minute }

func (c *Feeds) validate() error {
	if c.Interval < time.Minute || c.Interval > 24*time.Hour {
		return fieldErr("feeds.interval", "must be between 1m and 24h, got %s", c.Interval)
	}
	seen := map[string]bool{}
	for i := range c.Sources {
		s := &c.Sources[i]
		if err := s.validate(fmt.Sprintf("feeds.sources[%d].", i)); err != nil {
			return err
		}
		if seen[s.Name] {
			return fieldErr(fmt.Sprintf("feeds.sources[%d].name", i), "%q is used twice", s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

func (s *FeedSource) validate(at string) error {
	if !feedNameRE.MatchString(s.Name) {
		return fieldErr(at+"name", "%q is not a name of lowercase letters, digits, - and _ (e.g. web-prs)", s.Name)
	}
	if !slices.Contains(feedKinds, s.Kind) {
		return fieldErr(at+"kind", "%q is not one of %s", s.Kind, strings.Join(feedKinds, ", "))
	}
	if s.Interval != 0 && (s.Interval < time.Minute || s.Interval > 24*time.Hour) {
		return fieldErr(at+"interval", "must be between 1m and 24h, got %s", s.Interval)
	}
	for _, e := range [][2]string{{"secret_env", s.SecretEnv}, {"token_env", s.TokenEnv}} {
		if e[1] != "" && !auditEnvNameRE.MatchString(e[1]) {
			return fieldErr(at+e[0], "%q is not an environment variable name", e[1])
		}
	}
	for _, u := range [][2]string{{"url", s.URL}, {"base_url", s.BaseURL}} {
		if u[1] != "" && !feedHTTPURL(u[1]) {
			return fieldErr(at+u[0], "%q is not an http(s) URL", u[1])
		}
	}
	if err := s.validateKind(at); err != nil {
		return err
	}
	return s.validateRoutes(at)
}

func (s *FeedSource) validateKind(at string) error {
	need := func(key string, ok bool, what string) error {
		if ok {
			return nil
		}
		return fieldErr(at+key, "a %s source needs %s", s.Kind, what)
	}
	switch s.Kind {
	case "github":
		if s.Mode != "" && s.Mode != "webhook" && s.Mode != "poll" {
			return fieldErr(at+"mode", "%q is not webhook or poll", s.Mode)
		}
		for _, r := range s.Repos {
			if !feedRepoRE.MatchString(r) {
				return fieldErr(at+"repos", "%q is not owner/name", r)
			}
		}
		if s.Mode == "poll" {
			return need("repos", len(s.Repos) > 0, "repos to poll (owner/name)")
		}
		return need("secret_env", s.SecretEnv != "", "secret_env: the variable holding the webhook's secret")
	case "jira", "webhook":
		if err := need("secret_env", s.SecretEnv != "", "secret_env: the variable holding the webhook's secret"); err != nil || s.Kind == "jira" {
			return err
		}
		return s.Fields.validate(at + "fields.")
	case "bluesky":
		return need("accounts", len(s.Accounts) > 0, "accounts (handles such as alice.bsky.social)")
	case "mastodon":
		if err := need("base_url", s.BaseURL != "", "base_url: the instance (https://mastodon.social)"); err != nil {
			return err
		}
		return need("accounts", len(s.Accounts) > 0, "accounts (user names on the instance)")
	case "rss":
		return need("url", s.URL != "", "url: the feed's address")
	case "x":
		if err := need("token_env", s.TokenEnv != "", "token_env: the variable holding X's bearer token (X's API is paid)"); err != nil {
			return err
		}
		return need("accounts", len(s.Accounts) > 0, "accounts (user names)")
	}
	return nil
}

func (f *FeedFields) validate(at string) error {
	if f.ID == "" || f.Title == "" {
		return fieldErr(at+"title", "a webhook source maps at least id and title to paths of the payload")
	}
	for _, p := range []string{f.ID, f.Scope, f.Title, f.Link, f.Author, f.Priority} {
		if p != "" && !feedPathRE.MatchString(p) {
			return fieldErr(strings.TrimSuffix(at, "."), "%q is not a dotted path such as ticket.title", p)
		}
	}
	return nil
}

func (s *FeedSource) validateRoutes(at string) error {
	if len(s.Routes) == 0 {
		return fieldErr(at+"routes", "source %q sends nothing anywhere: add a route with a room", s.Name)
	}
	for i, r := range s.Routes {
		if strings.TrimSpace(r.Room) == "" {
			return fieldErr(fmt.Sprintf("%sroutes[%d].room", at, i), "every route needs a room (#eng-prs)")
		}
		if r.Drafts != "" && r.Drafts != "include" && r.Drafts != "exclude" && r.Drafts != "only" {
			return fieldErr(fmt.Sprintf("%sroutes[%d].drafts", at, i), "%q is not include, exclude or only", r.Drafts)
		}
	}
	return nil
}

func feedHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}
