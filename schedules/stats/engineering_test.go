package stats_test

import (
	"fmt"
	"sort"
	"time"

	"github.com/opsbot/opsbot/infra/infratest"
)

// githubActivity is two weeks of an organization's activity from start:
// ten members, nine repositories (one pushed after end), sixty issues and
// pull requests a few hours apart, merged, closed or left open by rule.
func githubActivity(start, end time.Time) infratest.Activity {
	var a infratest.Activity
	for i := range 10 {
		a.Members = append(a.Members, fmt.Sprintf("dev%d", i))
	}
	for i, d := range []time.Duration{-3 * time.Hour, 2 * time.Hour, 30 * time.Hour, 100 * time.Hour, 170 * time.Hour, 200 * time.Hour, 250 * time.Hour, 300 * time.Hour, 400 * time.Hour} {
		at := end.Add(-d)
		if d < 0 {
			at = end.Add(-d) // after the window
		}
		a.Repos = append(a.Repos, infratest.Repo{Name: fmt.Sprintf("repo%d", i), PushedAt: at})
	}
	for i := range 60 {
		is := infratest.Issue{Repo: fmt.Sprintf("acme/repo%d", i%4), Number: 100 + i, Title: fmt.Sprintf("change %d", i),
			PR: i%3 != 0, Created: start.Add(time.Duration(i) * 330 * time.Minute)}
		switch {
		case is.PR && i%4 == 1:
			is.Merged = is.Created.Add(time.Duration(i*37%90+1) * time.Hour)
			is.Closed = is.Merged
		case is.PR && i%4 == 2:
			is.Closed = is.Created.Add(20 * time.Hour)
		case !is.PR && i%2 == 0:
			is.Closed = is.Created.Add(30 * time.Hour)
		}
		a.Issues = append(a.Issues, is)
	}
	return a
}

// expectGitHub counts a's figures over [since, until) directly.
func expectGitHub(a infratest.Activity, since, until time.Time) (map[string]float64, []string) {
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(since) && t.Before(until) }
	m := map[string]float64{"engineering.members": float64(len(a.Members))}
	for _, r := range a.Repos {
		if in(r.PushedAt) {
			m["engineering.repos_active"]++
		}
	}
	var merge []float64
	var open []infratest.Issue
	for _, is := range a.Issues {
		switch {
		case is.PR && in(is.Created):
			m["engineering.prs_opened"]++
		case !is.PR && in(is.Created):
			m["engineering.issues_opened"]++
		}
		switch {
		case is.PR && in(is.Merged):
			m["engineering.prs_merged"]++
			merge = append(merge, is.Merged.Sub(is.Created).Seconds())
		case is.PR && is.Merged.IsZero() && in(is.Closed):
			m["engineering.prs_closed_unmerged"]++
		case !is.PR && in(is.Closed):
			m["engineering.issues_closed"]++
		}
		if is.PR && is.Closed.IsZero() {
			open = append(open, is)
		}
	}
	sort.Float64s(merge)
	m["engineering.merge_median_seconds"] = median(merge...)
	m["engineering.merge_p90_seconds"] = merge[int(float64(len(merge))*0.9+0.999999)-1]
	sort.Slice(open, func(i, j int) bool { return open[i].Created.Before(open[j].Created) })
	var oldest []string
	for _, is := range open[:5] {
		oldest = append(oldest, fmt.Sprintf("%s#%d %s", is.Repo, is.Number, is.Title))
	}
	return m, oldest
}
