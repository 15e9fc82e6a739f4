// Package cloudflare blocks addresses in a Cloudflare account IP list that a
// WAF custom rule uses (`ip.src in $list`). Item writes are asynchronous:
// the API answers with an operation ID that is polled until it completes or
// fails. An account runs one bulk operation at a time and answers 429 while
// one is pending, so changes per account are serialized here and a 429 is
// waited out. Cloudflare lists hold IPv6 only as /4 to /64 prefixes: a
// longer IPv6 prefix is widened to its /64, and the ban says so.
package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"sync"

	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/cfapi"
)

// Options configure an Edge.
type Options struct {
	Name      string
	AccountID string
	ListID    string
	Token     string // from the environment variable config names
	Endpoint  string // default https://api.cloudflare.com/client/v4
	HTTP      *http.Client
	Policy    edge.Policy // retries of a failed call
	Poll      edge.Policy // polling of a pending operation
}

// Edge is one account IP list.
type Edge struct {
	o    Options
	api  *cfapi.Client
	lock *sync.Mutex // the account's: one bulk operation at a time
}

// New returns an Edge.
func New(o Options) *Edge {
	if o.Endpoint == "" {
		o.Endpoint = "https://api.cloudflare.com/client/v4"
	}
	if o.HTTP == nil {
		o.HTTP = http.DefaultClient
	}
	if o.Poll == nil {
		o.Poll = edge.DefaultPolicy
	}
	api := &cfapi.Client{Name: o.Name, Endpoint: o.Endpoint, Token: o.Token, HTTP: o.HTTP, Policy: o.Policy}
	return &Edge{o: o, api: api, lock: cfapi.AccountLock(o.AccountID)}
}

// Name is the edge's name in opsbot.
func (e *Edge) Name() string { return e.o.Name }

// Kind names the provider.
func (e *Edge) Kind() string { return "cloudflare list" }

// listForm is p as the list holds it (IPv6 at most /64).
func listForm(p netip.Prefix) (netip.Prefix, string) {
	if p.Addr().Is6() && p.Bits() > 64 {
		w, _ := p.Addr().Prefix(64)
		return w, fmt.Sprintf("Cloudflare lists hold IPv6 as /64 at most: %s blocks %s", p, w)
	}
	return p, ""
}

func itemIP(p netip.Prefix) string {
	if p.Addr().Is4() && p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

// Ban adds p to the list and waits for the operation to complete.
func (e *Edge) Ban(ctx context.Context, p netip.Prefix, m edge.Meta) (edge.Status, error) {
	p, note := listForm(p)
	e.lock.Lock()
	defer e.lock.Unlock()
	have, err := e.items(ctx)
	if err != nil {
		return edge.Status{}, err
	}
	if _, ok := have[p]; ok {
		return edge.Status{Used: len(have), Note: note}, nil
	}
	body := []map[string]string{{"ip": itemIP(p), "comment": m.Comment(500)}}
	if err := e.bulk(ctx, http.MethodPost, body); err != nil {
		return edge.Status{}, err
	}
	return edge.Status{Changed: true, Used: len(have) + 1, Note: note}, nil
}

// Unban deletes the items for ps in one operation and waits for it.
func (e *Edge) Unban(ctx context.Context, ps ...netip.Prefix) (edge.Status, error) {
	e.lock.Lock()
	defer e.lock.Unlock()
	have, err := e.items(ctx)
	if err != nil {
		return edge.Status{}, err
	}
	var ids []map[string]string
	for _, p := range ps {
		p, _ = listForm(p)
		if it, ok := have[p]; ok {
			ids = append(ids, map[string]string{"id": it.ID})
			delete(have, p)
		}
	}
	if len(ids) == 0 {
		return edge.Status{Used: len(have)}, nil
	}
	if err := e.bulk(ctx, http.MethodDelete, map[string]any{"items": ids}); err != nil {
		return edge.Status{}, err
	}
	return edge.Status{Changed: true, Used: len(have)}, nil
}

// List returns every item of the list.
func (e *Edge) List(ctx context.Context) ([]edge.Entry, error) {
	have, err := e.items(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]edge.Entry, 0, len(have))
	for p, it := range have {
		out = append(out, edge.Entry{Prefix: p, Comment: it.Comment})
	}
	return out, nil
}

// bulk starts an item operation and waits until it is done.
func (e *Edge) bulk(ctx context.Context, method string, body any) error {
	id, err := e.api.StartBulk(ctx, fmt.Sprintf("/accounts/%s/rules/lists/%s/items", e.o.AccountID, e.o.ListID), method, body)
	if err != nil {
		return err
	}
	return e.wait(ctx, id)
}

var errPending = errors.New("operation still pending")

// wait polls the bulk operation until it completes or fails.
func (e *Edge) wait(ctx context.Context, id string) error {
	return edge.Retry(ctx, e.o.Poll, func() (bool, error) {
		status, failure, err := e.api.Operation(ctx, e.o.AccountID, id)
		if err != nil {
			return false, err
		}
		switch status {
		case "completed":
			return false, nil
		case "failed":
			return false, fmt.Errorf("cloudflare %s: operation %s failed: %s", e.o.Name, id, failure)
		}
		return true, fmt.Errorf("cloudflare %s: operation %s: %w (%s)", e.o.Name, id, errPending, status)
	})
}
