package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v74/github"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/feeds"
)

// Poller polls the open pull requests (and, with Issues, the issues) of
// repositories: GET /repos/{owner}/{repo}/pulls?state=open&sort=created
// &direction=desc, newest first, with If-None-Match (an unchanged list is
// a 304, which costs no rate limit) and through the Link header's next
// pages until the PRs already seen. Its cursor holds, per repository, the
// highest number seen and the first page's ETag.
type Poller struct {
	Client  *gh.Client
	Repos   []string // owner/name
	Issues  bool
	Details int          // new PRs whose size (+/−, files) is read, per poll (default 10)
	Clock   opsbot.Clock // for rate limit resets; default the system clock
}

func (p *Poller) clock() opsbot.Clock {
	if p.Clock == nil {
		return opsbot.SystemClock{}
	}
	return p.Clock
}

// NewClient is a go-github client with token (may be empty: public
// repositories, 60 requests an hour) on baseURL: "" for api.github.com,
// https://HOST/api/v3 for GitHub Enterprise Server.
func NewClient(token, baseURL string, hc *http.Client) (*gh.Client, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c := gh.NewClient(hc)
	if token != "" {
		c = c.WithAuthToken(token)
	}
	if baseURL == "" {
		return c, nil
	}
	u, err := url.Parse(strings.TrimRight(baseURL, "/") + "/")
	if err != nil {
		return nil, fmt.Errorf("github base url: %w", err)
	}
	c.BaseURL = u
	return c, nil
}

// state is one repository's part of the cursor.
type state struct {
	PR     int    `json:"pr"`
	PRTag  string `json:"pr_etag,omitempty"`
	Issue  int    `json:"issue,omitempty"`
	IssTag string `json:"issue_etag,omitempty"`
}

// Poll reads every repository; the first failure stops it (the cursor is
// not moved, so nothing is skipped).
func (p *Poller) Poll(ctx context.Context, cur feeds.Cursor) ([]feeds.Item, feeds.Cursor, error) {
	states := map[string]state{}
	if cur.Value != "" {
		if err := json.Unmarshal([]byte(cur.Value), &states); err != nil {
			return nil, cur, fmt.Errorf("github cursor: %w", err)
		}
	}
	var items []feeds.Item
	for _, repo := range p.Repos {
		st, known := states[repo]
		got, next, err := p.repo(ctx, repo, st, !known)
		if err != nil {
			return nil, cur, err
		}
		for i := range got {
			got[i].Baseline = !known // a repository read for the first time: its starting point
		}
		items, states[repo] = append(items, got...), next
	}
	b, _ := json.Marshal(states)
	return items, feeds.Cursor{Value: string(b)}, nil
}

func (p *Poller) repo(ctx context.Context, repo string, st state, baseline bool) ([]feeds.Item, state, error) {
	owner, name, _ := strings.Cut(repo, "/")
	prs, tag, same, err := p.newPRs(ctx, owner, name, st, baseline)
	if err != nil {
		return nil, st, err
	}
	var items []feeds.Item
	if !same {
		for i, pr := range prs {
			// the list has no size: read it for the first few new ones
			if !baseline && i < p.details() {
				pr = p.detail(ctx, owner, name, pr)
			}
			items = append(items, prItem(repo, pr, "opened"))
			st.PR = max(st.PR, pr.GetNumber())
		}
		st.PRTag = tag
	}
	if !p.Issues {
		return items, st, nil
	}
	more, st, err := p.issues(ctx, owner, name, st, baseline)
	return append(items, more...), st, err
}

func (p *Poller) details() int {
	if p.Details <= 0 {
		return 10
	}
	return p.Details
}

// newPRs are the open PRs numbered above st.PR (the first page only for
// the baseline), the first page's ETag, and same for a 304.
func (p *Poller) newPRs(ctx context.Context, owner, name string, st state, baseline bool) ([]*gh.PullRequest, string, bool, error) {
	return listNew(ctx, p, fmt.Sprintf("repos/%s/%s/pulls", owner, name), st.PR, st.PRTag, baseline, (*gh.PullRequest).GetNumber)
}

// issues are the issues opened above st.Issue (not PRs, which the issues
// list includes).
func (p *Poller) issues(ctx context.Context, owner, name string, st state, baseline bool) ([]feeds.Item, state, error) {
	got, tag, same, err := listNew(ctx, p, fmt.Sprintf("repos/%s/%s/issues", owner, name), st.Issue, st.IssTag, baseline, (*gh.Issue).GetNumber)
	if err != nil || same {
		return nil, st, err
	}
	var items []feeds.Item
	for _, is := range got {
		st.Issue = max(st.Issue, is.GetNumber())
		if !is.IsPullRequest() {
			items = append(items, issueItem(owner+"/"+name, is))
		}
	}
	st.IssTag = tag
	return items, st, nil
}

// listNew lists path (open, newest first, 100 a page) down to number
// after, following the Link header's next page; for the baseline, the
// first page only. The first page is asked with If-None-Match
// etag: a 304 returns nothing, etag and same.
func listNew[T any](ctx context.Context, p *Poller, path string, after int, etag string, baseline bool, number func(T) int) (_ []T, tag string, same bool, _ error) {
	var out []T
	for page := 1; ; page++ {
		var got []T
		u := path + "?state=open&sort=created&direction=desc&per_page=100"
		if page > 1 {
			u += "&page=" + strconv.Itoa(page)
		}
		resp, err := p.get(ctx, u, condition(page, etag), &got)
		if page == 1 && notModified(err) {
			return nil, etag, true, nil
		}
		if err != nil {
			return nil, "", false, p.fail(repoOf(path), err)
		}
		if page == 1 {
			tag = resp.Header.Get("ETag")
		}
		for _, x := range got {
			if number(x) <= after {
				return out, tag, false, nil
			}
			out = append(out, x)
		}
		if resp.NextPage == 0 || baseline {
			return out, tag, false, nil
		}
		page = resp.NextPage - 1
	}
}

// detail reads one PR for its size; on failure the listed PR stands.
func (p *Poller) detail(ctx context.Context, owner, name string, pr *gh.PullRequest) *gh.PullRequest {
	full, _, err := p.Client.PullRequests.Get(ctx, owner, name, pr.GetNumber())
	if err != nil {
		return pr
	}
	return full
}

// get sends GET u with If-None-Match etag when set, into v.
func (p *Poller) get(ctx context.Context, u string, etag string, v any) (*gh.Response, error) {
	req, err := p.Client.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	return p.Client.Do(ctx, req, v)
}

func notModified(err error) bool {
	var er *gh.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotModified
}

// fail names the repository and the cause people can act on; a rate limit
// carries its reset as a feeds.RetryAfter.
func (p *Poller) fail(repo string, err error) error {
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return &feeds.RetryAfter{Wait: rl.Rate.Reset.Sub(p.clock().Now()), Err: fmt.Errorf("github %s: rate limited until %s", repo, rl.Rate.Reset.UTC().Format("15:04 UTC"))}
	}
	var ab *gh.AbuseRateLimitError
	if errors.As(err, &ab) {
		return &feeds.RetryAfter{Wait: ab.GetRetryAfter(), Err: fmt.Errorf("github %s: secondary rate limit", repo)}
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return fmt.Errorf("github %s: %s %s", repo, er.Response.Status, er.Message)
	}
	return fmt.Errorf("github %s: %w", repo, err)
}

// condition is the ETag to send: on the first page only.
func condition(page int, etag string) string {
	if page == 1 {
		return etag
	}
	return ""
}

// repoOf is owner/name of "repos/owner/name/…".
func repoOf(path string) string {
	parts := strings.SplitN(strings.TrimPrefix(path, "repos/"), "/", 3)
	return strings.Join(parts[:min(2, len(parts))], "/")
}
