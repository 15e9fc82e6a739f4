package github

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Activity is what an organization did in a window, for the weekly
// statistics (schedules/stats): members, repositories pushed to, pull
// requests and issues. Counts come from the REST API's organization
// listings and the search API's total_count.
type Activity struct {
	Members         int
	ActiveRepos     int // repositories pushed to in the window
	PRsOpened       int
	PRsMerged       int
	PRsClosed       int             // closed without merging
	MergeTimes      []time.Duration // open to merge, of the PRs merged in the window (at most 1000 each org)
	MergeTimesCount int             // merged PRs; more than len(MergeTimes) when search stopped at 1000
	IssuesOpened    int
	IssuesClosed    int
	OldestOpen      []PR // open pull requests, oldest first (up to 5)
}

// PR is one pull request.
type PR struct {
	Repo    string // owner/name
	Number  int
	Title   string
	Created time.Time
}

// searchResult is the part of a search answer the statistics use.
type searchResult struct {
	Total int `json:"total_count"`
	Items []struct {
		Number        int       `json:"number"`
		Title         string    `json:"title"`
		CreatedAt     time.Time `json:"created_at"`
		ClosedAt      time.Time `json:"closed_at"`
		RepositoryURL string    `json:"repository_url"`
		PullRequest   *struct {
			MergedAt time.Time `json:"merged_at"`
		} `json:"pull_request"`
	} `json:"items"`
}

// Activity reads every configured organization's activity in [since,
// until) and adds them up. The first failure stops it: a partial sum
// would read as a drop.
func (o *Orgs) Activity(ctx context.Context, since, until time.Time) (Activity, error) {
	var a Activity
	if o.opts.Token == "" {
		return a, fmt.Errorf("%s is not set (a token with read:org and repo read access)", o.opts.TokenEnv)
	}
	for _, org := range o.opts.Orgs {
		if err := o.activity(ctx, org, since, until, &a); err != nil {
			return a, fmt.Errorf("GitHub organization %s: %w", org, err)
		}
	}
	sort.Slice(a.OldestOpen, func(i, j int) bool { return a.OldestOpen[i].Created.Before(a.OldestOpen[j].Created) })
	a.OldestOpen = a.OldestOpen[:min(len(a.OldestOpen), 5)]
	return a, nil
}

func (o *Orgs) activity(ctx context.Context, org string, since, until time.Time, a *Activity) error {
	n, err := o.count(ctx, o.opts.BaseURL+"/orgs/"+url.PathEscape(org)+"/members?per_page=100", nil)
	if err != nil {
		return fmt.Errorf("members: %w", err)
	}
	a.Members += n
	repos := o.opts.BaseURL + "/orgs/" + url.PathEscape(org) + "/repos?sort=pushed&direction=desc&per_page=100"
	if n, err = o.count(ctx, repos, func(pushed time.Time) int { return window(pushed, since, until) }); err != nil {
		return fmt.Errorf("repositories: %w", err)
	}
	a.ActiveRepos += n
	return o.searches(ctx, org, since, until, a)
}

// window is 1 for a push in [since, until), 0 after it, -1 before (and
// for a repository never pushed to, listed last).
func window(pushed, since, until time.Time) int {
	switch {
	case pushed.Before(since):
		return -1
	case pushed.Before(until):
		return 1
	}
	return 0
}

// searches fill the pull-request and issue figures from the search API.
func (o *Orgs) searches(ctx context.Context, org string, since, until time.Time, a *Activity) error {
	span := since.UTC().Format(time.RFC3339) + ".." + until.Add(-time.Second).UTC().Format(time.RFC3339)
	for _, s := range []struct {
		q   string
		out *int
	}{
		{"is:pr created:" + span, &a.PRsOpened},
		{"is:pr is:closed is:unmerged closed:" + span, &a.PRsClosed},
		{"is:issue created:" + span, &a.IssuesOpened},
		{"is:issue is:closed closed:" + span, &a.IssuesClosed},
	} {
		r, _, err := o.search(ctx, "org:"+org+" "+s.q, "", 1)
		if err != nil {
			return fmt.Errorf("search %q: %w", s.q, err)
		}
		*s.out += r.Total
	}
	if err := o.merged(ctx, org, span, a); err != nil {
		return err
	}
	r, _, err := o.search(ctx, "org:"+org+" is:pr is:open", "&sort=created&order=asc", 5)
	if err != nil {
		return fmt.Errorf("search open pull requests: %w", err)
	}
	for _, it := range r.Items {
		a.OldestOpen = append(a.OldestOpen, PR{Repo: repoOf(it.RepositoryURL), Number: it.Number, Title: it.Title, Created: it.CreatedAt})
	}
	return nil
}

// merged pages through the PRs merged in span (search stops at 1000).
func (o *Orgs) merged(ctx context.Context, org, span string, a *Activity) error {
	q := "org:" + org + " is:pr is:merged merged:" + span
	next := o.searchURL(q, "", 100)
	for page := 0; next != "" && page < 10; page++ {
		var r searchResult
		var err error
		if next, err = o.getJSON(ctx, next, &r); err != nil {
			return fmt.Errorf("search merged pull requests: %w", err)
		}
		if page == 0 {
			a.PRsMerged += r.Total
			a.MergeTimesCount += r.Total
		}
		for _, it := range r.Items {
			if it.PullRequest != nil && !it.PullRequest.MergedAt.IsZero() {
				a.MergeTimes = append(a.MergeTimes, it.PullRequest.MergedAt.Sub(it.CreatedAt))
			}
		}
	}
	return nil
}

func (o *Orgs) searchURL(q, extra string, per int) string {
	return fmt.Sprintf("%s/search/issues?q=%s%s&per_page=%d", o.opts.BaseURL, url.QueryEscape(q), extra, per)
}

func (o *Orgs) search(ctx context.Context, q, extra string, per int) (searchResult, string, error) {
	var r searchResult
	next, err := o.getJSON(ctx, o.searchURL(q, extra, per), &r)
	return r, next, err
}

// count counts the items of a listing, every page. With judge, an item
// counts when judge says 1 for its pushed_at, is skipped on 0, and -1
// ends the listing (listings sorted by push, newest first).
func (o *Orgs) count(ctx context.Context, next string, judge func(time.Time) int) (int, error) {
	n := 0
	for page := 0; next != ""; page++ {
		if page == maxPages {
			return n, fmt.Errorf("stopped after %d pages", maxPages)
		}
		var items []struct {
			PushedAt time.Time `json:"pushed_at"`
		}
		var err error
		if next, err = o.getJSON(ctx, next, &items); err != nil {
			return n, err
		}
		for _, it := range items {
			v := 1
			if judge != nil {
				v = judge(it.PushedAt)
			}
			if v < 0 {
				return n, nil
			}
			n += v
		}
	}
	return n, nil
}

func repoOf(repositoryURL string) string {
	_, rest, ok := strings.Cut(repositoryURL, "/repos/")
	if !ok {
		return repositoryURL
	}
	return rest
}

// getJSON GETs u into v, retrying rate limits, server and network errors
// like the members listing; next is the rel="next" page on the same host.
func (o *Orgs) getJSON(ctx context.Context, u string, v any) (next string, err error) {
	b := &hinted{BackOff: backoff.WithContext(o.opts.Backoff(), ctx)}
	err = backoff.Retry(func() error {
		var retry bool
		next, retry, err = o.getOnce(ctx, u, v, b)
		if err != nil && !retry {
			return backoff.Permanent(err)
		}
		return err
	}, b)
	if err != nil {
		return "", err
	}
	return o.sameOrigin(next)
}

func (o *Orgs) getOnce(ctx context.Context, u string, v any, b *hinted) (string, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("Authorization", "Bearer "+o.opts.Token)
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", "opsbot-stats")
	resp, err := o.opts.HTTPClient.Do(req)
	if err != nil {
		return "", ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return "", true, fmt.Errorf("read GitHub's answer: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			return "", false, fmt.Errorf("decode %s: %w", req.URL.Path, err)
		}
		return nextLink(resp.Header.Get("Link")), false, nil
	}
	retry := rateLimited(resp) || resp.StatusCode >= 500
	if retry {
		b.hint = retryAfter(resp)
	}
	return "", retry, apiError(resp, body, o.opts.TokenEnv)
}
