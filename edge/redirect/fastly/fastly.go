// Package fastly keeps the redirect map in a Fastly edge dictionary, read
// at the edge by the VCL snippet in redirects.vcl (its setup: README.md
// beside it). One item per rule, as on CloudFront: the key is the source
// path ("/old", or "/campaign*" for a prefix rule), the value "STATUS
// TARGET" (redirect.Rule.Value).
//
// Items are written one at a time through the dictionary item API (PUT
// creates or replaces an item, DELETE removes one), so a change never
// needs a new service version. Fastly's documented limits (keys up to 256
// characters, values up to 8000, 1000 items per dictionary unless Fastly
// raised it for the account) are checked before writing, with a refusal
// that names the limit.
package fastly

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/fastlyapi"
	"github.com/opsbot/opsbot/edge/redirect"
)

// Limits of an edge dictionary (Fastly documentation, "Edge dictionaries"
// limitations).
const (
	MaxKey   = 256
	MaxValue = 8000
	MaxItems = 1000
)

// Depth is how many segments deep a prefix rule may be: redirects.vcl
// looks up at most this many ancestors of a path.
const Depth = 8

// Options configure an Edge.
type Options struct {
	Name         string
	ServiceID    string
	DictionaryID string
	Token        string // from the environment variable config names
	Endpoint     string // default https://api.fastly.com
	MaxItems     int    // default MaxItems (an account Fastly raised it for)
	HTTP         *http.Client
	Policy       edge.Policy
}

// Edge is one edge dictionary.
type Edge struct {
	o   Options
	api *fastlyapi.Client
	mu  sync.Mutex // one change at a time from this process
}

// New returns an Edge.
func New(o Options) *Edge {
	if o.Endpoint == "" {
		o.Endpoint = "https://api.fastly.com"
	}
	if o.HTTP == nil {
		o.HTTP = http.DefaultClient
	}
	if o.MaxItems == 0 {
		o.MaxItems = MaxItems
	}
	return &Edge{o: o, api: &fastlyapi.Client{Name: o.Name, Token: o.Token, HTTP: o.HTTP}}
}

// Name is the edge's name in opsbot.
func (e *Edge) Name() string { return e.o.Name }

// Kind names the provider.
func (e *Edge) Kind() string { return "fastly dictionary" }

// Caps are what the dictionary and the VCL hold.
func (e *Edge) Caps() redirect.Caps {
	return redirect.Caps{MaxKey: MaxKey, MaxValue: MaxValue, MaxItems: e.o.MaxItems, Unit: "characters", Depth: Depth, Prefix: true, Store: "a Fastly edge dictionary"}
}

// item is a dictionary item as the API shows it.
type item struct {
	Key   string `json:"item_key"`
	Value string `json:"item_value"`
}

// List reads every item of the dictionary.
func (e *Edge) List(ctx context.Context) ([]redirect.Rule, error) {
	items, err := e.items(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]redirect.Rule, 0, len(items))
	for _, it := range items {
		r, _ := redirect.ParseValue(it.Key, it.Value)
		out = append(out, r)
	}
	return out, nil
}

// Put writes r, replacing any value its key had; a new key in a full
// dictionary is refused (edge.ErrFull).
func (e *Edge) Put(ctx context.Context, r redirect.Rule) (edge.Status, error) {
	key, val := r.From, r.Value()
	if err := e.Caps().Fits(key, val); err != nil {
		return edge.Status{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	have, err := e.items(ctx)
	if err != nil {
		return edge.Status{}, err
	}
	n := len(have)
	if !holds(have, key) {
		if n >= e.o.MaxItems {
			return edge.Status{}, fmt.Errorf("%w: the Fastly dictionary holds %d items, its limit is %d (ask Fastly to raise it, or remove rules)", edge.ErrFull, n, e.o.MaxItems)
		}
		n++
	}
	body := url.Values{"item_value": {val}}.Encode()
	err = e.call(ctx, http.MethodPut, e.itemURL(key), body, nil)
	return edge.Status{Changed: true, Used: n, Limit: e.o.MaxItems}, err
}

// Delete removes the item from; one the dictionary does not hold is no
// change.
func (e *Edge) Delete(ctx context.Context, from string) (edge.Status, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	have, err := e.items(ctx)
	if err != nil {
		return edge.Status{}, err
	}
	if !holds(have, from) {
		return edge.Status{Used: len(have), Limit: e.o.MaxItems}, nil
	}
	err = e.call(ctx, http.MethodDelete, e.itemURL(from), "", nil)
	var he *edge.HTTPError
	if asHTTP(err, &he) && he.Status == http.StatusNotFound {
		err = nil // removed by someone else since the read
	}
	return edge.Status{Changed: err == nil, Used: len(have) - 1, Limit: e.o.MaxItems}, err
}

func holds(have []item, key string) bool {
	for _, it := range have {
		if it.Key == key {
			return true
		}
	}
	return false
}

const perPage = 100

// items reads every page of the dictionary's items.
func (e *Edge) items(ctx context.Context) ([]item, error) {
	var all []item
	for page := 1; ; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(perPage)}}
		var got []item
		if err := e.call(ctx, http.MethodGet, e.base()+"/items?"+q.Encode(), "", &got); err != nil {
			return nil, err
		}
		all = append(all, got...)
		if len(got) < perPage {
			return all, nil
		}
	}
}

func (e *Edge) base() string {
	return fmt.Sprintf("%s/service/%s/dictionary/%s", e.o.Endpoint, url.PathEscape(e.o.ServiceID), url.PathEscape(e.o.DictionaryID))
}

// itemURL is the item's URL, its key one %-escaped path segment.
func (e *Edge) itemURL(key string) string { return e.base() + "/item/" + url.PathEscape(key) }

// call sends one request, retrying what is worth retrying (a PUT or DELETE
// of one item is idempotent), and decodes the answer into out (nil: drop).
func (e *Edge) call(ctx context.Context, method, u, form string, out any) error {
	return edge.Retry(ctx, e.o.Policy, func() (bool, error) { return e.do(ctx, method, u, form, out) })
}

func (e *Edge) do(ctx context.Context, method, u, form string, out any) (bool, error) {
	var body *fastlyapi.Body
	if form != "" {
		body = &fastlyapi.Body{Type: "application/x-www-form-urlencoded", Data: []byte(form)}
	}
	return e.api.Do(ctx, method, u, method+" dictionary item", body, out)
}

func asHTTP(err error, he **edge.HTTPError) bool { return err != nil && errors.As(err, he) }
