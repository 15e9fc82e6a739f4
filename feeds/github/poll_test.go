package github_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/feeds/feedstest"
	"github.com/opsbot/opsbot/feeds/github"
)

// fakeGitHub serves GET /repos/acme/web/pulls as GitHub's REST API
// documents it: open PRs newest first, 100 a page with a Link header,
// an ETag, 304 for a matching If-None-Match; GET /repos/acme/web/pulls/N
// with the PR's size. Every request is kept.
type fakeGitHub struct {
	*httptest.Server
	mu     sync.Mutex
	open   int // PRs numbered 1..open are open
	status int // when not 0, every answer is this status
	reqs   []string
}

func newFakeGitHub(t *testing.T, open int) *fakeGitHub {
	f := &fakeGitHub{open: open}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, fmt.Sprintf("%s %s inm=%s auth=%s accept=%s", r.Method, r.URL.RequestURI(),
		r.Header.Get("If-None-Match"), r.Header.Get("Authorization"), r.Header.Get("Accept")))
	if f.status != 0 {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(f.status)
		fmt.Fprint(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`)
		return
	}
	var n int
	if _, err := fmt.Sscanf(r.URL.Path[strings.Index(r.URL.Path, "/pulls"):], "/pulls/%d", &n); err == nil {
		pr := f.pr(n)
		pr["additions"], pr["deletions"], pr["changed_files"], pr["merged"] = n*10, n, 2, false
		json.NewEncoder(w).Encode(pr)
		return
	}
	etag := fmt.Sprintf(`"%d"`, f.open)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	page := 1
	fmt.Sscanf(r.URL.Query().Get("page"), "%d", &page)
	var list []map[string]any
	for n := f.open - (page-1)*100; n >= 1 && n > f.open-page*100; n-- {
		list = append(list, f.pr(n))
	}
	if page*100 < f.open {
		w.Header().Set("Link", fmt.Sprintf(`<%s/repositories/1296269/pulls?state=open&sort=created&direction=desc&per_page=100&page=%d>; rel="next", <%s/repositories/1296269/pulls?page=%d>; rel="last"`,
			f.URL, page+1, f.URL, (f.open+99)/100))
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(list)
}

// pr is a PR of the list, as the pulls list API documents it (no size).
func (f *fakeGitHub) pr(n int) map[string]any {
	created := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute).Format(time.RFC3339)
	return map[string]any{"url": fmt.Sprintf("https://api.github.com/repos/acme/web/pulls/%d", n), "id": 1000 + n,
		"html_url": fmt.Sprintf("https://github.com/acme/web/pull/%d", n), "number": n, "state": "open", "locked": false,
		"title": fmt.Sprintf("Bump dependency %d", n), "user": map[string]any{"login": "renovate[bot]", "id": 29139614, "type": "Bot"},
		"labels": []any{map[string]any{"id": 1, "name": "dependencies", "color": "0366d6"}}, "draft": false,
		"head": map[string]any{"label": "acme:renovate/dep", "ref": fmt.Sprintf("renovate/dep-%d", n)},
		"base": map[string]any{"label": "acme:main", "ref": "main"}, "created_at": created, "updated_at": created}
}

func (f *fakeGitHub) set(open, status int) {
	f.mu.Lock()
	f.open, f.status = open, status
	f.mu.Unlock()
}

func (f *fakeGitHub) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.reqs
	f.reqs = nil
	return r
}

func pollSource(t *testing.T, f *fakeGitHub) feeds.Source {
	c, err := github.NewClient("ghp_test", f.URL, f.Client())
	if err != nil {
		t.Fatal(err)
	}
	return feeds.Source{Name: "web-prs", Kind: "github", Interval: 5 * time.Minute,
		Poller: &github.Poller{Client: c, Repos: []string{"acme/web"}, Details: 2},
		Routes: []feeds.Route{{Scope: "acme/web", Room: "#eng-prs"}}}
}

const list = "GET /repos/acme/web/pulls?state=open&sort=created&direction=desc&per_page=100"
const auth = " auth=Bearer ghp_test accept=application/vnd.github.v3+json"

// TestPollPullRequests: the first poll sets the baseline (nothing posted);
// an unchanged list is a conditional 304; after a restart the persisted
// cursor stands, and a burst of 103 new PRs over two pages (the Link
// header) is one message; the first new ones are read for their size.
func TestPollPullRequests(t *testing.T) {
	ctx := context.Background()
	r := feedstest.NewRig(t)
	f := newFakeGitHub(t, 3)
	hub := r.Hub(pollSource(t, f))
	if wait := hub.PollOnce(ctx, "web-prs"); wait != 5*time.Minute {
		t.Fatalf("wait %s", wait)
	}
	hub.PollOnce(ctx, "web-prs")
	hub.Flush(ctx)
	if got := r.Poster.Take(); len(got) != 0 {
		t.Fatalf("baseline posted %v", got)
	}
	want := []string{list + " inm=" + auth, list + ` inm="3"` + auth}
	if got := f.take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("requests\n%q\nwant\n%q", got, want)
	}

	f.set(106, 0)
	hub = r.Hub(pollSource(t, f)) // a restart: the cursor is in ClickHouse
	hub.PollOnce(ctx, "web-prs")
	hub.PollOnce(ctx, "web-prs") // unchanged again
	want = []string{list + ` inm="3"` + auth, list + "&page=2 inm=" + auth,
		"GET /repos/acme/web/pulls/106 inm=" + auth, "GET /repos/acme/web/pulls/105 inm=" + auth, list + ` inm="106"` + auth}
	if got := f.take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("requests\n%q\nwant\n%q", got, want)
	}
	hub.Flush(ctx)
	var lines []string
	for n := 4; n < 4+15; n++ {
		lines = append(lines, fmt.Sprintf("• PR acme/web#%d opened: Bump dependency %d — https://github.com/acme/web/pull/%d", n, n, n))
	}
	lines = append(lines, "… and 88 more.")
	wantMsg := []opsbot.Message{{Channel: "#eng-prs", Reply: opsbot.Reply{Title: "103 new items", Text: strings.Join(lines, "\n"),
		Context: "feeds web-prs · grouped by minute"}}}
	if got := r.Poster.Take(); !reflect.DeepEqual(got, wantMsg) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, wantMsg)
	}
	hub = r.Hub(pollSource(t, f)) // and a restart after posting posts nothing again
	hub.PollOnce(ctx, "web-prs")
	hub.Flush(ctx)
	if got := r.Poster.Take(); len(got) != 0 {
		t.Fatalf("after restart posted %v", got)
	}
}

// TestPollFailureWarnsOnce: a 401 warns once in #tech-alerts with GitHub's
// reason and backs off (doubling); the next failures say nothing; the
// first success says it recovered.
func TestPollFailureWarnsOnce(t *testing.T) {
	ctx := context.Background()
	r := feedstest.NewRig(t)
	f := newFakeGitHub(t, 3)
	hub := r.Hub(pollSource(t, f))
	hub.PollOnce(ctx, "web-prs")
	f.set(3, http.StatusUnauthorized)
	var waits []time.Duration
	for range 3 {
		waits = append(waits, hub.PollOnce(ctx, "web-prs"))
	}
	if want := []time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute}; !reflect.DeepEqual(waits, want) {
		t.Errorf("waits %v", waits)
	}
	want := []opsbot.Message{{Channel: "#tech-alerts", Reply: opsbot.Reply{Title: "Feed web-prs is failing",
		Text: "github acme/web: 401 Unauthorized Bad credentials\nRetrying with backoff (next try in 10m0s). Said once; `feeds` shows its health."}}}
	if got := r.Poster.Take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, want)
	}
	f.set(3, 0)
	hub.PollOnce(ctx, "web-prs")
	want = []opsbot.Message{{Channel: "#tech-alerts", Reply: opsbot.Reply{Title: "Feed web-prs recovered",
		Text: "After 3 failed tries since 10:00 UTC."}}}
	if got := r.Poster.Take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, want)
	}
}

// TestPollNewRepository: a repository added to a source that already has
// a cursor starts from its own baseline: its open PRs are not posted.
func TestPollNewRepository(t *testing.T) {
	ctx := context.Background()
	r := feedstest.NewRig(t)
	f := newFakeGitHub(t, 3)
	src := pollSource(t, f)
	r.Hub(src).PollOnce(ctx, "web-prs")
	f.set(5, 0)
	src.Poller.(*github.Poller).Repos = []string{"acme/web", "acme/api"}
	hub := r.Hub(src)
	hub.PollOnce(ctx, "web-prs")
	hub.Flush(ctx)
	got := r.Poster.Take()
	if len(got) != 1 || got[0].Reply.Title != "2 new items" || strings.Contains(got[0].Reply.Text, "acme/api") {
		t.Fatalf("posted %#v", got)
	}
	if reqs := f.take(); len(reqs) != 5 || !strings.HasPrefix(reqs[4], "GET /repos/acme/api/pulls?state=open") {
		t.Errorf("requests %q", reqs)
	}
}

// TestPollIssues: with issues on, the issues list (which GitHub documents
// as holding pull requests too) adds new issues, not the PRs in it.
func TestPollIssues(t *testing.T) {
	ctx := context.Background()
	r := feedstest.NewRig(t)
	var mu sync.Mutex
	issues := []map[string]any{{"number": 2, "title": "Old", "html_url": "https://github.com/acme/web/issues/2", "user": map[string]any{"login": "bob"},
		"state": "open", "created_at": "2026-12-01T10:00:00Z", "labels": []any{}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch q.URL.Path {
		case "/repos/acme/web/pulls":
			fmt.Fprint(w, "[]")
		case "/repos/acme/web/issues":
			json.NewEncoder(w).Encode(issues)
		default:
			http.NotFound(w, q)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := github.NewClient("", srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	src := feeds.Source{Name: "web", Kind: "github", Poller: &github.Poller{Client: c, Repos: []string{"acme/web"}, Issues: true},
		Routes: []feeds.Route{{Room: "#eng"}}}
	hub := r.Hub(src)
	hub.PollOnce(ctx, "web")
	mu.Lock()
	issues = append([]map[string]any{
		{"number": 4, "title": "Purge is slow", "html_url": "https://github.com/acme/web/issues/4", "user": map[string]any{"login": "carol"},
			"state": "open", "created_at": "2026-12-03T10:00:00Z", "labels": []any{map[string]any{"name": "cdn"}}},
		{"number": 3, "title": "A PR", "html_url": "https://github.com/acme/web/pull/3", "user": map[string]any{"login": "dave"}, "state": "open",
			"created_at": "2026-12-03T09:00:00Z", "pull_request": map[string]any{"url": "https://api.github.com/repos/acme/web/pulls/3"}},
	}, issues...)
	mu.Unlock()
	hub.PollOnce(ctx, "web")
	hub.Flush(ctx)
	want := []opsbot.Message{{Channel: "#eng", Reply: opsbot.Reply{Title: "Issue acme/web#4 opened: Purge is slow",
		Text: "reported by carol\nlabels: cdn\nhttps://github.com/acme/web/issues/4", Context: "feed web · 2026-12-03 10:00 UTC"}}}
	if got := r.Poster.Take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, want)
	}
}
