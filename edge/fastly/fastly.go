// Package fastly blocks addresses in a Fastly ACL through the ACL entries
// API: changes go in PATCH /service/{id}/acl/{acl_id}/entries batches of at
// most 1000 operations, a CIDR as ip + subnet, each entry with a comment
// saying who banned it and why.
package fastly

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"

	"github.com/opsbot/opsbot/edge"
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
type Edge struct{ o Options }

// New returns an Edge.
func New(o Options) *Edge {
	if o.Endpoint == "" {
		o.Endpoint = "https://api.fastly.com"
	}
	if o.HTTP == nil {
		o.HTTP = http.DefaultClient
	}
	return &Edge{o: o}
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
	for _, en := range have {
		if q, ok := en.prefix(); ok && q == p {
			return edge.Status{Used: len(have)}, nil
		}
	}
	op := entry{Op: "create", IP: p.Addr().String(), Comment: m.Comment(255)}
	if !p.IsSingleIP() {
		bits := p.Bits()
		op.Subnet = &bits
	}
	if err := e.patch(ctx, []entry{op}); err != nil {
		return edge.Status{}, err
	}
	return edge.Status{Changed: true, Used: len(have) + 1}, nil
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
		if err := e.call(ctx, http.MethodGet, "?"+q.Encode(), nil, &got); err != nil {
			return nil, err
		}
		all = append(all, got...)
		if len(got) < perPage {
			return all, nil
		}
	}
}

func (e *Edge) patch(ctx context.Context, ops []entry) error {
	var ok struct {
		Status string `json:"status"`
	}
	if err := e.call(ctx, http.MethodPatch, "", map[string]any{"entries": ops}, &ok); err != nil {
		return err
	}
	if ok.Status != "ok" {
		return fmt.Errorf("fastly %s: update acl entries: status %q", e.o.Name, ok.Status)
	}
	return nil
}

// call sends one request to the entries endpoint, retrying what is worth
// retrying, and decodes the answer into out.
func (e *Edge) call(ctx context.Context, method, query string, body, out any) error {
	u := fmt.Sprintf("%s/service/%s/acl/%s/entries%s", e.o.Endpoint, url.PathEscape(e.o.ServiceID), url.PathEscape(e.o.ACLID), query)
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	return edge.Retry(ctx, e.o.Policy, func() (bool, error) {
		return e.do(ctx, method, u, payload, out)
	})
}

func (e *Edge) do(ctx context.Context, method, u string, payload []byte, out any) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(payload))
	if err != nil {
		return false, err
	}
	req.Header.Set("Fastly-Key", e.o.Token)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.o.HTTP.Do(req)
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("fastly %s: %w", e.o.Name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode/100 != 2 {
		retry, why := edge.RetryStatus(resp.StatusCode)
		return retry, fmt.Errorf("fastly %s: %s: %w", e.o.Name, why, &edge.HTTPError{Op: method + " acl entries", Status: resp.StatusCode, Body: string(b)})
	}
	if err := json.Unmarshal(b, out); err != nil {
		return false, fmt.Errorf("fastly %s: decode answer: %w", e.o.Name, err)
	}
	return false, nil
}
