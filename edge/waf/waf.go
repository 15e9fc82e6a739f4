// Package waf blocks addresses in AWS WAF IP sets (wafv2). UpdateIPSet
// replaces a set's whole list, so every change is GetIPSet → change →
// UpdateIPSet with the LockToken from the read, and starts over when AWS
// answers WAFOptimisticLockException (someone else changed the set in
// between). Changes to one set are serialized and paced (AWS allows about
// one update per second). IPv4 and IPv6 addresses live in separate sets.
package waf

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/opsbot/opsbot/edge"
)

// Limit is the number of addresses an IP set holds at most.
const Limit = 10000

// API is the part of the wafv2 client this package uses.
type API interface {
	GetIPSet(ctx context.Context, in *wafv2.GetIPSetInput, opts ...func(*wafv2.Options)) (*wafv2.GetIPSetOutput, error)
	UpdateIPSet(ctx context.Context, in *wafv2.UpdateIPSetInput, opts ...func(*wafv2.Options)) (*wafv2.UpdateIPSetOutput, error)
}

var _ API = (*wafv2.Client)(nil)

// Set names one IP set.
type Set struct{ Name, ID string }

// Options configure an Edge.
type Options struct {
	Name        string      // the edge's name in opsbot
	Scope       types.Scope // CLOUDFRONT or REGIONAL
	IPv4, IPv6  Set         // either may be empty
	Limit       int         // capacity per set (default Limit)
	MinInterval time.Duration
	Policy      edge.Policy // retries (default edge.DefaultPolicy)
}

// Edge is one web ACL's pair of IP sets.
type Edge struct {
	api  API
	opts Options
	sets map[string]*setLock
}

type setLock struct {
	mu   sync.Mutex
	last time.Time // last update, for pacing
}

// New returns an Edge over api (a *wafv2.Client).
func New(api API, o Options) *Edge {
	if o.Limit == 0 {
		o.Limit = Limit
	}
	if o.MinInterval == 0 {
		o.MinInterval = time.Second
	}
	e := &Edge{api: api, opts: o, sets: map[string]*setLock{}}
	for _, s := range []Set{o.IPv4, o.IPv6} {
		if s.ID != "" {
			e.sets[s.ID] = &setLock{}
		}
	}
	return e
}

// Name is the edge's name in opsbot.
func (e *Edge) Name() string { return e.opts.Name }

// Kind names the provider.
func (e *Edge) Kind() string { return "aws-waf " + string(e.opts.Scope) }

func (e *Edge) setFor(p netip.Prefix) (Set, error) {
	s := e.opts.IPv4
	if p.Addr().Is6() {
		s = e.opts.IPv6
	}
	if s.ID == "" {
		fam := map[bool]string{true: "IPv6", false: "IPv4"}[p.Addr().Is6()]
		return s, fmt.Errorf("waf %s has no %s set: %w", e.opts.Name, fam, edge.ErrUnsupported)
	}
	return s, nil
}

// Ban adds p to its family's set. Adding a prefix already there changes
// nothing; a full set refuses with edge.ErrFull.
func (e *Edge) Ban(ctx context.Context, p netip.Prefix, _ edge.Meta) (edge.Status, error) {
	s, err := e.setFor(p)
	if err != nil {
		return edge.Status{}, err
	}
	return e.change(ctx, s, func(addrs []string) ([]string, bool, error) {
		if indexOf(addrs, p) >= 0 {
			return addrs, false, nil
		}
		if len(addrs) >= e.opts.Limit {
			return nil, false, fmt.Errorf("waf %s set %s holds %d of %d addresses: %w", e.opts.Name, s.Name, len(addrs), e.opts.Limit, edge.ErrFull)
		}
		return append(addrs, p.String()), true, nil
	})
}

// Unban removes ps from their sets; prefixes not there are skipped.
func (e *Edge) Unban(ctx context.Context, ps ...netip.Prefix) (edge.Status, error) {
	bySet := map[Set][]netip.Prefix{}
	for _, p := range ps {
		s, err := e.setFor(p)
		if err != nil {
			return edge.Status{}, err
		}
		bySet[s] = append(bySet[s], p)
	}
	var total edge.Status
	for s, list := range bySet {
		st, err := e.change(ctx, s, func(addrs []string) ([]string, bool, error) {
			return without(addrs, list)
		})
		if err != nil {
			return total, err
		}
		total.Changed = total.Changed || st.Changed
		total.Used, total.Limit = st.Used, st.Limit
	}
	return total, nil
}

// List returns every prefix in both sets.
func (e *Edge) List(ctx context.Context) ([]edge.Entry, error) {
	var out []edge.Entry
	for _, s := range []Set{e.opts.IPv4, e.opts.IPv6} {
		if s.ID == "" {
			continue
		}
		got, err := e.get(ctx, s)
		if err != nil {
			return nil, err
		}
		for _, a := range got.IPSet.Addresses {
			if p, err := netip.ParsePrefix(a); err == nil {
				out = append(out, edge.Entry{Prefix: p.Masked()})
			}
		}
	}
	return out, nil
}

func indexOf(addrs []string, p netip.Prefix) int {
	for i, a := range addrs {
		if q, err := netip.ParsePrefix(a); err == nil && q.Masked() == p {
			return i
		}
	}
	return -1
}

func without(addrs []string, ps []netip.Prefix) ([]string, bool, error) {
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		q, err := netip.ParsePrefix(a)
		if err == nil && containsPrefix(ps, q.Masked()) {
			continue
		}
		out = append(out, a)
	}
	return out, len(out) != len(addrs), nil
}

func containsPrefix(ps []netip.Prefix, q netip.Prefix) bool {
	for _, p := range ps {
		if p == q {
			return true
		}
	}
	return false
}

// NewClient builds a wafv2 client for region from the default AWS
// credential chain. endpoint, when set, overrides AWS's. The SDK's own
// retries are off: Edge decides what to retry.
func NewClient(cfg aws.Config, region, endpoint string) *wafv2.Client {
	return wafv2.NewFromConfig(cfg, func(o *wafv2.Options) {
		o.Region = region
		o.Retryer = aws.NopRetryer{}
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
}
