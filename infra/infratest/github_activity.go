package infratest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Activity is what an organization holds for the weekly statistics:
// every member, its repositories and its issues and pull requests, served
// by GET /orgs/{org}/members (no filter), /orgs/{org}/repos?sort=pushed
// and /search/issues (the qualifiers org, is, created, closed, merged
// with an inclusive A..B range; sort=created&order=asc).
type Activity struct {
	Members []string
	Repos   []Repo
	Issues  []Issue
}

// Repo is a repository.
type Repo struct {
	Name     string
	PushedAt time.Time
}

// Issue is an issue or (PR set) a pull request; zero times: not closed,
// not merged.
type Issue struct {
	Repo           string
	Number         int
	Title          string
	PR             bool
	Created        time.Time
	Closed, Merged time.Time
}

// SetActivity sets an organization's activity.
func (g *GitHub) SetActivity(org string, a Activity) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.activity == nil {
		g.activity = map[string]Activity{}
	}
	g.activity[org] = a
}

// serveActivity answers the statistics' requests; false: not one of them.
func (g *GitHub) serveActivity(w http.ResponseWriter, r *http.Request) bool {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	ours := len(parts) == 3 && parts[0] == "orgs" && (parts[2] == "repos" || parts[2] == "members" && q.Get("filter") == "") ||
		len(parts) == 2 && parts[0] == "search" && parts[1] == "issues"
	if !ours {
		return false
	}
	if r.Method != http.MethodGet || r.Header.Get("Accept") != "application/vnd.github+json" || r.Header.Get("X-GitHub-Api-Version") != "2022-11-28" {
		ghError(w, http.StatusBadRequest, "GET with Accept application/vnd.github+json and X-GitHub-Api-Version 2022-11-28")
		return true
	}
	switch {
	case len(parts) == 3 && parts[0] == "orgs" && parts[2] == "members" && q.Get("filter") == "":
		var out []map[string]any
		for i, m := range g.activity[parts[1]].Members {
			out = append(out, map[string]any{"login": m, "id": 2000 + i})
		}
		g.paged(w, r, out)
	case len(parts) == 3 && parts[0] == "orgs" && parts[2] == "repos":
		if q.Get("sort") != "pushed" || q.Get("direction") != "desc" {
			ghError(w, http.StatusBadRequest, "this fake lists repositories by push, newest first")
			return true
		}
		repos := append([]Repo(nil), g.activity[parts[1]].Repos...)
		sort.SliceStable(repos, func(i, j int) bool { return repos[i].PushedAt.After(repos[j].PushedAt) })
		var out []map[string]any
		for _, rp := range repos {
			out = append(out, map[string]any{"name": rp.Name, "full_name": parts[1] + "/" + rp.Name, "pushed_at": rp.PushedAt})
		}
		g.paged(w, r, out)
	case len(parts) == 2 && parts[0] == "search" && parts[1] == "issues":
		g.search(w, r)
	}
	return true
}

// paged answers one page of all (per_page, page) with a rel="next" link.
func (g *GitHub) paged(w http.ResponseWriter, r *http.Request, all []map[string]any) {
	items, next := g.page(r, all)
	if next != "" {
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next))
	}
	if items == nil {
		items = []map[string]any{}
	}
	_ = json.NewEncoder(w).Encode(items)
}

func (g *GitHub) page(r *http.Request, all []map[string]any) ([]map[string]any, string) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per < 1 || per > 100 {
		per = 30
	}
	if g.pageSize > 0 && g.pageSize < per {
		per = g.pageSize
	}
	page := max(1, atoi(q.Get("page")))
	from, to := min((page-1)*per, len(all)), min(page*per, len(all))
	if to >= len(all) {
		return all[from:to], ""
	}
	q.Set("page", strconv.Itoa(page+1))
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return all[from:to], u.String()
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func (g *GitHub) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	match, err := parseSearch(q.Get("q"))
	if err != "" {
		ghError(w, http.StatusUnprocessableEntity, err)
		return
	}
	var hits []Issue
	for org, a := range g.activity {
		for _, is := range a.Issues {
			if match(org, is) {
				hits = append(hits, is)
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Number < hits[j].Number })
	if q.Get("sort") == "created" {
		asc := q.Get("order") == "asc"
		sort.SliceStable(hits, func(i, j int) bool { return hits[i].Created.Before(hits[j].Created) == asc })
	}
	var all []map[string]any
	for _, is := range hits {
		all = append(all, issueJSON(r, is))
	}
	items, next := g.page(r, all)
	if next != "" {
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next))
	}
	if items == nil {
		items = []map[string]any{}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"total_count": len(hits), "incomplete_results": false, "items": items})
}

func issueJSON(r *http.Request, is Issue) map[string]any {
	m := map[string]any{"number": is.Number, "title": is.Title, "created_at": is.Created,
		"repository_url": "http://" + r.Host + "/repos/" + is.Repo, "state": "open"}
	if !is.Closed.IsZero() {
		m["state"], m["closed_at"] = "closed", is.Closed
	}
	if is.PR {
		pr := map[string]any{"url": "http://" + r.Host + "/repos/" + is.Repo + "/pulls/" + strconv.Itoa(is.Number)}
		if !is.Merged.IsZero() {
			pr["merged_at"] = is.Merged
		}
		m["pull_request"] = pr
	}
	return m
}

// parseSearch reads the qualifiers this fake knows; anything else is an
// error, so that a query the statistics get wrong fails the test.
func parseSearch(q string) (func(org string, is Issue) bool, string) {
	var tests []func(string, Issue) bool
	for _, tok := range strings.Fields(q) {
		k, v, ok := strings.Cut(tok, ":")
		if !ok {
			return nil, "unknown search term " + tok
		}
		t, err := qualifier(k, v)
		if err != "" {
			return nil, err
		}
		tests = append(tests, t)
	}
	return func(org string, is Issue) bool {
		for _, t := range tests {
			if !t(org, is) {
				return false
			}
		}
		return true
	}, ""
}

func qualifier(k, v string) (func(string, Issue) bool, string) {
	switch k + ":" + v {
	case "is:pr":
		return func(_ string, is Issue) bool { return is.PR }, ""
	case "is:issue":
		return func(_ string, is Issue) bool { return !is.PR }, ""
	case "is:open":
		return func(_ string, is Issue) bool { return is.Closed.IsZero() }, ""
	case "is:closed":
		return func(_ string, is Issue) bool { return !is.Closed.IsZero() }, ""
	case "is:merged":
		return func(_ string, is Issue) bool { return !is.Merged.IsZero() }, ""
	case "is:unmerged":
		return func(_ string, is Issue) bool { return is.PR && is.Merged.IsZero() }, ""
	}
	if k == "org" {
		return func(org string, _ Issue) bool { return org == v }, ""
	}
	field := map[string]func(Issue) time.Time{
		"created": func(is Issue) time.Time { return is.Created },
		"closed":  func(is Issue) time.Time { return is.Closed },
		"merged":  func(is Issue) time.Time { return is.Merged },
	}[k]
	a, b, ok := strings.Cut(v, "..")
	from, err1 := time.Parse(time.RFC3339, a)
	to, err2 := time.Parse(time.RFC3339, b)
	if field == nil || !ok || err1 != nil || err2 != nil {
		return nil, "unknown qualifier " + k + ":" + v
	}
	return func(_ string, is Issue) bool {
		t := field(is)
		return !t.IsZero() && !t.Before(from) && !t.After(to.Add(999*time.Millisecond))
	}, ""
}
