package github

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	gh "github.com/google/go-github/v74/github"

	"github.com/opsbot/opsbot/feeds"
)

// Source is one configured GitHub webhook source.
type Source struct {
	Name   string // the feeds source it delivers to
	Secret []byte // the webhook's secret, from the environment
	Merged bool   // post merged pull requests too
	Issues bool   // post issues opened too
}

// Hook answers GitHub's deliveries on /hooks/github: POST only, a body of at
// most feeds.MaxBody, X-Hub-Signature-256 checked (constant time) against
// each source's secret; unsigned or badly signed deliveries get 401 and are
// audited. A delivery id (X-GitHub-Delivery) already taken is answered 200
// and ignored. It answers once the items are recorded (a few
// milliseconds), well within GitHub's 10 s.
type Hook struct {
	Hub     *feeds.Hub
	Sources []Source
	Log     *slog.Logger
}

func (k *Hook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, ok := feeds.ReadPost(rw, r)
	if !ok {
		return
	}
	sig := r.Header.Get(gh.SHA256SignatureHeader)
	if sig == "" {
		k.Hub.Refuse(r.Context(), rw, r, "github", "unsigned delivery (no X-Hub-Signature-256)")
		return
	}
	src, ok := k.source(sig, body)
	if !ok {
		k.Hub.Refuse(r.Context(), rw, r, "github", "bad signature")
		return
	}
	items, err := src.items(gh.WebHookType(r), body)
	if err != nil {
		http.Error(rw, "unreadable payload", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 8*time.Second)
	defer cancel()
	dup, err := k.Hub.Deliver(ctx, src.Name, gh.DeliveryID(r), items)
	switch {
	case err != nil:
		k.log().Error("feeds: github delivery not recorded", "source", src.Name, "err", err)
		http.Error(rw, "not recorded; redeliver", http.StatusServiceUnavailable)
	case dup:
		rw.Write([]byte("duplicate delivery: ignored\n"))
	default:
		rw.Write([]byte("ok\n"))
	}
}

func (k *Hook) log() *slog.Logger {
	if k.Log == nil {
		return slog.Default()
	}
	return k.Log
}

// source is the source whose secret signed body.
func (k *Hook) source(sig string, body []byte) (Source, bool) {
	for _, s := range k.Sources {
		if len(s.Secret) > 0 && gh.ValidateSignature(sig, body, s.Secret) == nil {
			return s, true
		}
	}
	return Source{}, false
}

// items are the feed items of one event: none for events and actions
// feeds does not post (ping, a PR labelled …).
func (s Source) items(event string, body []byte) ([]feeds.Item, error) {
	if event != "pull_request" && event != "issues" {
		return nil, nil // ping and the events feeds does not post
	}
	ev, err := gh.ParseWebHook(event, body)
	if err != nil {
		return nil, err
	}
	switch e := ev.(type) {
	case *gh.PullRequestEvent:
		if ev := prEvent(e.GetAction(), e.GetPullRequest(), s.Merged); ev != "" {
			return []feeds.Item{prItem(e.GetRepo().GetFullName(), e.GetPullRequest(), ev)}, nil
		}
	case *gh.IssuesEvent:
		if s.Issues && e.GetAction() == "opened" && e.GetIssue().PullRequestLinks == nil {
			return []feeds.Item{issueItem(e.GetRepo().GetFullName(), e.GetIssue())}, nil
		}
	}
	return nil, nil
}
