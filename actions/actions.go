// Package actions holds opsbot's write commands, the chat skills that change
// something outside opsbot: `ban` and `unban` at the CDN edges, `bans`
// (reconciled with what the edges really hold), `page`, and their
// confirmations (`2fa enroll`, `confirm`, `approve`, `cancel`); plus raw
// read-only `sql` for analysts, and the job that lifts expired bans.
//
// Every write passes safety rails first, then waits for a confirmation
// (package access) before it runs; each is noted for the router's audit
// entry and posted to the audit room.
package actions

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/warehouse"
)

// Edge is a CDN edge that blocks addresses (edge/waf, edge/fastly,
// edge/cloudflare).
//
// Contract: Ban and Unban are idempotent (Status.Changed says whether
// anything changed) and retry what is worth retrying before they return.
// Ban refuses with an error wrapping edge.ErrFull when the set is full and
// edge.ErrUnsupported for a prefix the edge cannot hold. List returns what
// the edge holds now: it is the source of truth. Safe for concurrent use.
type Edge interface {
	Name() string
	Kind() string
	Ban(ctx context.Context, p netip.Prefix, m edge.Meta) (edge.Status, error)
	Unban(ctx context.Context, ps ...netip.Prefix) (edge.Status, error)
	List(ctx context.Context) ([]edge.Entry, error)
}

// Pager opens incidents (pager.Router). An unknown service is an error
// wrapping opsbot.ErrNotFound whose message lists the known ones.
type Pager interface {
	Notify(ctx context.Context, p opsbot.Page) error
}

// Hits answers what a client did recently (the query engine's
// "hits IP last 24h"), shown before a ban is confirmed.
type Hits func(ctx context.Context, ip string) (*opsbot.Reply, error)

// AuditRoom posts write actions to the audit room (auditlog.Log).
// Announce also appends to the audit table, for actions no chat command
// carries (a ban expiring).
type AuditRoom interface {
	Post(ctx context.Context, e opsbot.AuditEntry) error
	Record(ctx context.Context, e opsbot.AuditEntry) error
}

// Options wire a Skill. Edges, Warehouse, Confirmations and TOTP are
// required; the rest are optional.
type Options struct {
	Edges         []Edge
	Rails         config.Ban    // ban rails and default duration
	Access        config.Access // confirmation method per command
	Warehouse     warehouse.Warehouse
	Confirmations *access.Confirmations
	TOTP          *access.TOTP
	Pager         Pager     // nil: `page` says no pager is configured
	Hits          Hits      // nil: confirmations show no traffic
	Audit         AuditRoom // nil: nothing posted
	// SelfAddrs are the requester's own addresses, where known (the
	// terminal chat's host); they are never banned.
	SelfAddrs func(ctx context.Context, u opsbot.User) []netip.Addr
	Now       func() time.Time // nil: time.Now
	// Alerts and AlertRoom are where a ban left at an edge without an
	// expiry is reported (nil: only logged and answered).
	Alerts    opsbot.Poster
	AlertRoom string
	// RecordBackoff paces the retries of a ban's record (nil:
	// DefaultRecordBackoff).
	RecordBackoff func() backoff.BackOff
	Log           *slog.Logger // nil: slog.Default()
	// ConfirmPage is the web page of confirmation id, for the oidc
	// method (nil: the web pages are off and oidc is refused).
	ConfirmPage func(id string) string
}

// DefaultRecordBackoff tries a ban's record five more times over about
// six seconds before the ban is undone.
func DefaultRecordBackoff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 250 * time.Millisecond
	b.MaxInterval = 2 * time.Second
	return backoff.WithMaxRetries(b, 5)
}

// Skill answers the write commands.
type Skill struct {
	o     Options
	rails *Rails
	bans  *store

	mu    sync.Mutex
	usage map[string]edge.Status // last status per edge, for capacity warnings
}

var _ opsbot.Skill = (*Skill)(nil)

// New returns the write commands' Skill.
func New(o Options) (*Skill, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RecordBackoff == nil {
		o.RecordBackoff = DefaultRecordBackoff
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	r, err := NewRails(o.Rails)
	if err != nil {
		return nil, err
	}
	return &Skill{o: o, rails: r, bans: &store{w: o.Warehouse}, usage: map[string]edge.Status{}}, nil
}

// Commands lists the write commands.
func (s *Skill) Commands() []opsbot.Command {
	op := opsbot.RoleOperator
	return []opsbot.Command{
		{Name: "ban", Usage: "ban IP|CIDR [for 24h] [reason] [--dry-run]", Role: op, Write: true,
			Summary:  "block an address or range at every configured edge, after confirmation; it expires on its own",
			Examples: []string{"ban 203.0.113.9 for 24h scraping /donate", "ban 198.51.100.0/24 --dry-run"}},
		{Name: "unban", Usage: "unban IP|CIDR", Role: op, Write: true,
			Summary: "lift a ban at every edge, after confirmation", Examples: []string{"unban 203.0.113.9"}},
		{Name: "bans", Usage: "bans", Role: op,
			Summary: "current bans: who, when, why, expiry, on which edge, reconciled with what each edge holds"},
		{Name: "page", Usage: "page SERVICE MESSAGE", Role: op, Write: true,
			Summary:  "open an incident for a service's on-call, after confirmation",
			Examples: []string{"page ops Everything is on fire!"}},
		{Name: "2fa", Usage: "2fa enroll [CODE]", Role: op,
			Summary: "enrol an authenticator app for confirming write commands (in a DM; CODE from the old app to replace it)"},
		{Name: "confirm", Usage: "confirm ID [CODE]", Role: op,
			Summary: "confirm your pending write command (CODE from your authenticator, in a DM)"},
		{Name: "approve", Usage: "approve ID", Role: op,
			Summary: "approve another operator's pending write command"},
		{Name: "cancel", Usage: "cancel ID", Role: op, Summary: "cancel your pending write command"},
	}
}

func (s *Skill) now(req *opsbot.Request) time.Time {
	if req != nil && !req.Now.IsZero() {
		return req.Now
	}
	return s.o.Now()
}

func ephemeral(format string, args ...any) *opsbot.Reply {
	return &opsbot.Reply{Text: sprintf(format, args...), Ephemeral: true}
}

// Warehouse is where the Skill keeps its records.
func (s *Skill) Warehouse() warehouse.Warehouse { return s.o.Warehouse }

// Confirmations are the Skill's open confirmations (the web pages show
// and close the oidc ones).
func (s *Skill) Confirmations() *access.Confirmations { return s.o.Confirmations }
