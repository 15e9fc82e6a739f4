// Package fastly blocks addresses in a Fastly ACL through the ACL entries
// API: changes go in PATCH /service/{id}/acl/{acl_id}/entries batches of at
// most 1000 operations, a CIDR as ip + subnet, each entry with a comment
// saying who banned it and why. A create retried after a failure is sent
// again only if the ACL, listed again, does not hold the prefix: the first
// may have been applied though its answer was lost.
package fastly

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"

	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/fastlyapi"
)

// BatchSize is the most operations one PATCH carries.
const BatchSize = 1000

// Options configure an Edge.
type Options struct {
	Name      string
	ServiceID string
	ACLID     string
	Token     string // from the environment variable config names
	Endpoint  string // default https://api.fastly.com
	HTTP      *http.Client
	Policy    edge.Policy
}

// Edge is one Fastly ACL.
type Edge struct {
	o   Options
	api *fastlyapi.Client
}

// New returns an Edge.
func New(o Options) *Edge {
	if o.Endpoint == "" {
		o.Endpoint = fastlyapi.DefaultEndpoint
	}
	if o.HTTP == nil {
		o.HTTP = http.DefaultClient
	}
	return &Edge{o: o, api: &fastlyapi.Client{Name: o.Name, Token: o.Token, HTTP: o.HTTP}}
}

// Name is the edge's name in opsbot.
func (e *Edge) Name() string { return e.o.Name }

// Kind names the provider.
func (e *Edge) Kind() string { return "fastly acl" }

// entry is an ACL entry as the API shows and takes it.
type entry struct {
	Op      string `json:"op,omitempty"`
	ID      string `json:"id,omitempty"`
	IP      string `json:"ip,omitempty"`
	Subnet  *int   `json:"subnet,omitempty"`
	Comment string `json:"comment,omitempty"`
	// Negated (an exception inside a larger entry) comes back as 0/1 or
	// "0"/"1"; opsbot never writes it.
	Negated json.RawMessage `json:"negated,omitempty"`
}

func (en entry) negated() bool {
	s := string(en.Negated)
	return s == "1" || s == `"1"` || s == "true"
}

func (en entry) prefix() (netip.Prefix, bool) {
	a, err := netip.ParseAddr(en.IP)
	if err != nil || en.negated() {
		return netip.Prefix{}, false
	}
	bits := a.BitLen()
	if en.Subnet != nil {
		bits = *en.Subnet
	}
	p, err := a.Prefix(bits)
	return p, err == nil
}

// Ban adds p with a comment naming who and why; a prefix already in the
// ACL is left as it is.
func (e *Edge) Ban(ctx context.Context, p netip.Prefix, m edge.Meta) (edge.Status, error) {
	have, err := e.entries(ctx)
	if err != nil {
		return edge.Status{}, err
	}
	if holds(have, p) {
		return edge.Status{Used: len(have)}, nil
	}
	op := entry{Op: "create", IP: p.Addr().String(), Comment: m.Comment(255)}
	if !p.IsSingleIP() {
		bits := p.Bits()
		op.Subnet = &bits
	}
	if err := e.create(ctx, p, op); err != nil {
		return edge.Status{}, err
	}
	return edge.Status{Changed: true, Used: len(have) + 1}, nil
}

// create sends op, a create of p, retrying as the policy says. A create is
// not idempotent (sent twice, the ACL holds p twice) and one that failed
// may have been applied all the same (the answer lost to a timeout or a
// dropped connection, a 5xx from a proxy): before each retry the ACL is
// listed again, and a p found there ends the retries.
func (e *Edge) create(ctx context.Context, p netip.Prefix, op entry) error {
	sent := false
	return edge.Retry(ctx, e.o.Policy, func() (bool, error) {
		if sent {
			have, err := e.entries(ctx) // retries on its own
			if err != nil {
				return false, err
			}
			if holds(have, p) {
				return false, nil
			}
		}
		sent = true
		return e.patchOnce(ctx, []entry{op})
	})
}

// holds reports whether have blocks exactly p.
func holds(have []entry, p netip.Prefix) bool {
	for _, en := range have {
		if q, ok := en.prefix(); ok && q == p {
			return true
		}
	}
	return false
}

// Unban deletes the entries for ps, in batches of BatchSize.
func (e *Edge) Unban(ctx context.Context, ps ...netip.Prefix) (edge.Status, error) {
	have, err := e.entries(ctx)
	if err != nil {
		return edge.Status{}, err
	}
	want := map[netip.Prefix]bool{}
	for _, p := range ps {
		want[p] = true
	}
	var ops []entry
	for _, en := range have {
		if q, ok := en.prefix(); ok && want[q] {
			ops = append(ops, entry{Op: "delete", ID: en.ID})
		}
	}
	for len(ops) > 0 {
		n := min(len(ops), BatchSize)
		if err := e.patch(ctx, ops[:n]); err != nil {
			return edge.Status{}, err
		}
		ops = ops[n:]
	}
	n := countIn(have, want)
	return edge.Status{Changed: n > 0, Used: len(have) - n}, nil
}

func countIn(have []entry, want map[netip.Prefix]bool) int {
	n := 0
	for _, en := range have {
		if q, ok := en.prefix(); ok && want[q] {
			n++
		}
	}
	return n
}

// List returns every entry of the ACL.
func (e *Edge) List(ctx context.Context) ([]edge.Entry, error) {
	have, err := e.entries(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]edge.Entry, 0, len(have))
	for _, en := range have {
		if p, ok := en.prefix(); ok {
			out = append(out, edge.Entry{Prefix: p, Comment: en.Comment})
		}
	}
	return out, nil
}

const perPage = 100

func (e *Edge) entries(ctx context.Context) ([]entry, error) {
	var all []entry
	for page := 1; ; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(perPage)}}
		var got []entry
		if err := e.get(ctx, "?"+q.Encode(), &got); err != nil {
			return nil, err
		}
		all = append(all, got...)
		if len(got) < perPage {
			return all, nil
		}
	}
}

// patch sends ops, retrying what is worth retrying (deletes: a delete
// sent twice deletes once).
func (e *Edge) patch(ctx context.Context, ops []entry) error {
	return edge.Retry(ctx, e.o.Policy, func() (bool, error) { return e.patchOnce(ctx, ops) })
}

// patchOnce sends ops once and says whether a failure is worth a retry.
func (e *Edge) patchOnce(ctx context.Context, ops []entry) (bool, error) {
	var ok struct {
		Status string `json:"status"`
	}
	payload, _ := json.Marshal(map[string]any{"entries": ops})
	if retry, err := e.do(ctx, http.MethodPatch, e.url(""), payload, &ok); err != nil {
		return retry, err
	}
	if ok.Status != "ok" {
		return false, fmt.Errorf("fastly %s: update acl entries: status %q", e.o.Name, ok.Status)
	}
	return false, nil
}

// get reads the entries endpoint, retrying what is worth retrying, and
// decodes the answer into out.
func (e *Edge) get(ctx context.Context, query string, out any) error {
	return edge.Retry(ctx, e.o.Policy, func() (bool, error) {
		return e.do(ctx, http.MethodGet, e.url(query), nil, out)
	})
}

func (e *Edge) url(query string) string {
	return fmt.Sprintf("%s/service/%s/acl/%s/entries%s", e.o.Endpoint, url.PathEscape(e.o.ServiceID), url.PathEscape(e.o.ACLID), query)
}

func (e *Edge) do(ctx context.Context, method, u string, payload []byte, out any) (bool, error) {
	var body *fastlyapi.Body
	if payload != nil {
		body = &fastlyapi.Body{Type: "application/json", Data: payload}
	}
	return e.api.Do(ctx, method, u, method+" acl entries", body, out)
}
