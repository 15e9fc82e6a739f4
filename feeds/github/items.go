// Package github is the GitHub source of feeds: pull requests (opened,
// reopened, ready for review, optionally merged) and issues (opened), from
// webhook deliveries on /hooks/github (Hook) or from polling the REST API
// with conditional requests (Poller), through google/go-github.
package github

import (
	"fmt"
	"time"

	gh "github.com/google/go-github/v74/github"

	"github.com/opsbot/opsbot/feeds"
)

// prEvent is what a pull_request action is called in posts, or "" for the
// actions feeds ignore.
func prEvent(action string, pr *gh.PullRequest, merged bool) string {
	switch action {
	case "opened", "reopened":
		return action
	case "ready_for_review":
		return "ready for review"
	case "closed":
		if merged && pr.GetMerged() {
			return "merged"
		}
	}
	return ""
}

// prItem is a pull request as an item. Its id is the repository and number
// for "opened" (so a webhook and a poll of the same PR agree), with the
// event (and, for a reopening, its time) otherwise.
func prItem(repo string, pr *gh.PullRequest, event string) feeds.Item {
	id := fmt.Sprintf("%s#%d", repo, pr.GetNumber())
	at := pr.GetCreatedAt().Time
	switch event {
	case "reopened":
		at = pr.GetUpdatedAt().Time
		id += "@reopened:" + at.UTC().Format(time.RFC3339)
	case "ready for review":
		at, id = pr.GetUpdatedAt().Time, id+"@ready"
	case "merged":
		at, id = pr.GetMergedAt().Time, id+"@merged"
	}
	return feeds.Item{ID: id, Kind: feeds.KindPR, Scope: repo, Key: fmt.Sprintf("#%d", pr.GetNumber()), Event: event,
		Title: pr.GetTitle(), Link: pr.GetHTMLURL(), Author: pr.GetUser().GetLogin(), Time: at,
		Base: pr.GetBase().GetRef(), Head: pr.GetHead().GetRef(), Additions: pr.GetAdditions(), Deletions: pr.GetDeletions(),
		Files: pr.GetChangedFiles(), Labels: labels(pr.Labels), Draft: pr.GetDraft()}
}

// issueItem is an issue opened.
func issueItem(repo string, is *gh.Issue) feeds.Item {
	return feeds.Item{ID: fmt.Sprintf("%s#%d", repo, is.GetNumber()), Kind: feeds.KindIssue, Scope: repo,
		Key: fmt.Sprintf("#%d", is.GetNumber()), Event: "opened", Title: is.GetTitle(), Link: is.GetHTMLURL(),
		Author: is.GetUser().GetLogin(), Time: is.GetCreatedAt().Time, Labels: labels(is.Labels)}
}

func labels(ls []*gh.Label) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.GetName())
	}
	return out
}
