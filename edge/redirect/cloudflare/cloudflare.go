// Package cloudflare keeps the redirect map in a Cloudflare Bulk Redirects
// list (an account list of kind redirect) that an account Bulk Redirect
// rule enables (setup: README.md beside it). One item per rule: source
// URL the site's host and the rule's path ("www.example.org/old"), a
// prefix rule as subpath matching ("/campaign*" is "www.example.org/campaign"
// with subpath_matching), never carrying the query string or the path
// suffix, as the other edges do.
//
// Item writes are asynchronous bulk operations: the API answers with an
// operation ID, polled on opsbot's Clock until it completes or fails. An
// account runs one bulk operation at a time (a 429 meanwhile is retried),
// so this process serializes its changes per account. A target on the
// site given as a path is stored as an https URL on the site: the list
// holds absolute targets.
package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/cfapi"
	"github.com/opsbot/opsbot/edge/redirect"
)

// Depth is how deep a prefix rule may be: subpath matching has no depth
// limit; this one keeps opsbot's checks finite.
const Depth = 32

// Options configure an Edge.
type Options struct {
	Name      string
	AccountID string
	ListID    string
	Site      string // the host of every source URL (redirects.site)
	Token     string // from the environment variable config names
	Endpoint  string // default https://api.cloudflare.com/client/v4
	HTTP      *http.Client
	Policy    edge.Policy   // retries of a failed call
	Clock     opsbot.Clock  // waits between polls (default the system clock)
	PollEvery time.Duration // default 1s
	PollFor   time.Duration // give up waiting after this (default 2m)
}

// Edge is one Bulk Redirects list.
type Edge struct {
	o    Options
	api  *cfapi.Client
	lock *sync.Mutex // the account's: one bulk operation at a time, bans' included
}

// New returns an Edge.
func New(o Options) *Edge {
	if o.Endpoint == "" {
		o.Endpoint = "https://api.cloudflare.com/client/v4"
	}
	if o.HTTP == nil {
		o.HTTP = http.DefaultClient
	}
	if o.Clock == nil {
		o.Clock = opsbot.SystemClock{}
	}
	if o.PollEvery == 0 {
		o.PollEvery = time.Second
	}
	if o.PollFor == 0 {
		o.PollFor = 2 * time.Minute
	}
	api := &cfapi.Client{Name: o.Name, Endpoint: o.Endpoint, Token: o.Token, HTTP: o.HTTP, Policy: o.Policy}
	return &Edge{o: o, api: api, lock: cfapi.AccountLock(o.AccountID)}
}

// Name is the edge's name in opsbot.
func (e *Edge) Name() string { return e.o.Name }

// Kind names the provider.
func (e *Edge) Kind() string { return "cloudflare bulk redirects" }

// Caps are what the list holds: any depth of prefix rule; the API refuses
// what it cannot hold, and that refusal is passed on.
func (e *Edge) Caps() redirect.Caps {
	return redirect.Caps{Unit: "characters", Depth: Depth, Prefix: true, Store: "a Cloudflare Bulk Redirects list"}
}

// List reads every item of the list. An item opsbot would not write (on
// another host, with subdomains, keeping the query or the path suffix)
// is a rule with Status 0: its source URL as From, its target as To.
func (e *Edge) List(ctx context.Context) ([]redirect.Rule, error) {
	items, err := e.items(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]redirect.Rule, 0, len(items))
	for _, it := range items {
		out = append(out, e.rule(it.Redirect))
	}
	return out, nil
}

// rule reads an item back.
func (e *Edge) rule(t target) redirect.Rule {
	src := t.SourceURL
	for _, s := range []string{"https://", "http://"} {
		if len(src) >= len(s) && strings.EqualFold(src[:len(s)], s) {
			src = src[len(s):]
		}
	}
	host, path, ok := strings.Cut(src, "/")
	if !ok || !strings.EqualFold(host, e.o.Site) || t.IncludeSubdomains || t.PreserveQueryString || t.PreservePathSuffix {
		return redirect.Rule{From: t.SourceURL, To: t.TargetURL}
	}
	r, err := redirect.ParseValue("/"+path, fmt.Sprintf("%d %s", t.StatusCode, t.TargetURL))
	if err == nil && t.SubpathMatching {
		r.From += "*"
	}
	return r
}

// item is r as the list holds it.
func (e *Edge) item(r redirect.Rule) item {
	to := r.To
	if strings.HasPrefix(to, "/") {
		to = "https://" + e.o.Site + to
	}
	return item{Redirect: target{SourceURL: e.o.Site + r.Base(), TargetURL: to, StatusCode: r.Status, SubpathMatching: r.Prefix()}}
}

// Put writes r: an item with the same source is deleted first (an
// operation of its own), then r is added; an identical item is no change.
func (e *Edge) Put(ctx context.Context, r redirect.Rule) (edge.Status, error) {
	want := e.item(r)
	e.lock.Lock()
	defer e.lock.Unlock()
	have, err := e.items(ctx)
	if err != nil {
		return edge.Status{}, err
	}
	old := e.holding(have, r.From)
	if len(old) == 1 && old[0].Redirect == want.Redirect {
		return edge.Status{Used: len(have)}, nil
	}
	if err := e.remove(ctx, old); err != nil {
		return edge.Status{}, fmt.Errorf("replacing %s: %w", r.From, err)
	}
	if err := e.bulk(ctx, http.MethodPost, []item{want}); err != nil {
		return edge.Status{}, err
	}
	return edge.Status{Changed: true, Used: len(have) - len(old) + 1}, nil
}

// Delete removes the items for from; a rule the list does not hold is no
// change.
func (e *Edge) Delete(ctx context.Context, from string) (edge.Status, error) {
	e.lock.Lock()
	defer e.lock.Unlock()
	have, err := e.items(ctx)
	if err != nil {
		return edge.Status{}, err
	}
	old := e.holding(have, from)
	if err := e.remove(ctx, old); err != nil {
		return edge.Status{}, err
	}
	return edge.Status{Changed: len(old) > 0, Used: len(have) - len(old)}, nil
}

// holding are the items of have that hold the rule for from.
func (e *Edge) holding(have []item, from string) []item {
	var out []item
	for _, it := range have {
		if r := e.rule(it.Redirect); r.Status != 0 && r.From == from {
			out = append(out, it)
		}
	}
	return out
}

// remove deletes items in one operation (none: nothing to do).
func (e *Edge) remove(ctx context.Context, items []item) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]map[string]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, map[string]string{"id": it.ID})
	}
	return e.bulk(ctx, http.MethodDelete, map[string]any{"items": ids})
}

// bulk starts an item operation and waits until it is done.
func (e *Edge) bulk(ctx context.Context, method string, body any) error {
	id, err := e.api.StartBulk(ctx, e.itemsPath(), method, body)
	if err != nil {
		return err
	}
	return e.wait(ctx, id)
}

// wait polls the bulk operation every PollEvery until it completes or
// fails, for up to PollFor.
func (e *Edge) wait(ctx context.Context, id string) error {
	deadline := e.o.Clock.Now().Add(e.o.PollFor)
	for {
		status, failure, err := e.api.Operation(ctx, e.o.AccountID, id)
		if err != nil {
			return err
		}
		switch status {
		case "completed":
			return nil
		case "failed":
			return fmt.Errorf("cloudflare %s: bulk operation %s failed: %s", e.o.Name, id, failure)
		}
		if !e.o.Clock.Now().Before(deadline) {
			return fmt.Errorf("cloudflare %s: bulk operation %s still %s after %s: it may yet complete, `redirects` shows what the list holds", e.o.Name, id, status, e.o.PollFor)
		}
		if err := opsbot.Sleep(ctx, e.o.Clock, e.o.PollEvery); err != nil {
			return err
		}
	}
}
