package actions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/redirect"
	"github.com/opsbot/opsbot/edge/redirect/cloudflare"
	"github.com/opsbot/opsbot/edge/redirect/cloudfront"
	"github.com/opsbot/opsbot/edge/redirect/fastly"
)

// Redirector is an edge that holds the URL redirect map
// (edge/redirect/cloudfront, edge/redirect/fastly, edge/redirect/cloudflare).
//
// Contract: Put writes one rule, replacing its key's value; Delete removes
// one key (Status.Changed false when it was not there). Both retry what
// is worth retrying, and Put refuses what the edge cannot hold (past
// Caps, a full store wrapping edge.ErrFull) before writing. List returns
// what the edge holds now: it is the source of truth, entries opsbot
// cannot read included (Status 0). Safe for concurrent use.
type Redirector interface {
	Name() string
	Kind() string
	Caps() redirect.Caps
	Put(ctx context.Context, r redirect.Rule) (edge.Status, error)
	Delete(ctx context.Context, from string) (edge.Status, error)
	List(ctx context.Context) ([]redirect.Rule, error)
}

var (
	_ Redirector = (*cloudfront.Edge)(nil)
	_ Redirector = (*fastly.Edge)(nil)
	_ Redirector = (*cloudflare.Edge)(nil)
)

// Redirects answers `redirect`, `redirects`, `unredirect` and `redirect
// test`. Its changes are confirmed like bans (through the write Skill's
// confirmations, so `confirm`, `approve` and `cancel` apply), recorded in
// the redirects table, audited and posted to the audit room.
type Redirects struct {
	s       *Skill
	edges   []Redirector
	policy  redirect.Policy
	roles   *access.Roles
	members config.Members // access.redirectors
	recs    *redirectStore
}

var _ opsbot.Skill = (*Redirects)(nil)

// NewRedirects returns the redirect commands over s's confirmations,
// audit room and warehouse.
func NewRedirects(s *Skill, edges []Redirector, c config.Redirects, roles *access.Roles, members config.Members) *Redirects {
	allowed := append([]string{c.Site}, c.AllowedHosts...)
	return &Redirects{s: s, edges: edges, policy: redirect.Policy{Site: c.Site, AllowedHosts: allowed},
		roles: roles, members: members, recs: &redirectStore{w: s.o.Warehouse}}
}

// Commands lists the redirect commands. Their router role is reader:
// Handle lets operators and access.redirectors through.
func (rs *Redirects) Commands() []opsbot.Command {
	r := opsbot.RoleReader
	return []opsbot.Command{
		{Name: "redirect", Usage: "redirect /old/path TARGET [301|302|307|308] [--replace] [--dry-run] [reason] · redirect test /path", Role: r, Write: true,
			Summary:  "add a URL redirect at every edge holding the map, after confirmation (operators, access.redirectors); `redirect test` shows what a path gets now",
			Examples: []string{"redirect /donate-now https://www.example.org/donate", "redirect /campaign* https://www.example.org/promo 302", "redirect test /donate-now"}},
		{Name: "unredirect", Usage: "unredirect /old/path [--dry-run]", Role: r, Write: true,
			Summary: "remove a URL redirect at every edge, after confirmation", Examples: []string{"unredirect /donate-now"}},
		{Name: "redirects", Usage: "redirects [FILTER] · redirects import FILE.csv [--skip-bad] [--dry-run]", Role: r, Write: true,
			Summary: "the redirect map read back from each edge, reconciled with opsbot's records; `redirects import` adds the rows source,target[,status] of a CSV file as one confirmed change (terminal chat)"},
	}
}

// Handle answers one redirect command.
func (rs *Redirects) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	f := strings.Fields(req.Text)
	if len(f) == 0 {
		return ephemeral("Say what to do, e.g. `redirect /old https://www.example.org/new`."), nil
	}
	if err := rs.allowed(ctx, req); err != nil {
		return refuse(ctx, req.Text, err), nil
	}
	if len(rs.edges) == 0 {
		return refuse(ctx, req.Text, errors.New("no edge holds a redirect map (redirects.cloudfront, redirects.fastly or redirects.cloudflare in the config)")), nil
	}
	args := f[1:]
	switch strings.ToLower(f[0]) {
	case "redirect":
		if len(args) > 0 && strings.EqualFold(args[0], "test") {
			return rs.test(ctx, req, args[1:])
		}
		return rs.add(ctx, req, args)
	case "unredirect":
		return rs.remove(ctx, req, args)
	case "redirects":
		if len(args) > 0 && strings.EqualFold(args[0], "import") {
			return rs.importFile(ctx, req, args[1:])
		}
		return rs.list(ctx, req, args)
	}
	return ephemeral("Unknown redirect command %q.", f[0]), nil
}

// allowed lets operators and members of access.redirectors through.
func (rs *Redirects) allowed(ctx context.Context, req *opsbot.Request) error {
	if rs.operator(ctx, req) || rs.redirector(req.User) {
		return nil
	}
	return opsbot.Forbiddenf("the redirect map is changed and read by operators and access.redirectors only")
}

func (rs *Redirects) operator(ctx context.Context, req *opsbot.Request) bool {
	return rs.roles != nil && rs.roles.Role(ctx, req.User, req.Channel) >= opsbot.RoleOperator
}

func (rs *Redirects) redirector(u opsbot.User) bool {
	if u.ID == "" {
		return false
	}
	if slices.Contains(rs.members.Users, u.ID) {
		return true
	}
	for _, g := range u.Groups {
		if slices.Contains(rs.members.Groups, g) {
			return true
		}
	}
	return false
}

// redirectArgs is a parsed `redirect SOURCE TARGET [STATUS] [flags] [reason]`.
type redirectArgs struct {
	rule    redirect.Rule
	target  redirect.Target
	replace bool
	dry     bool
	reason  string
}

func (a redirectArgs) String() string {
	s := fmt.Sprintf("redirect %s → %s (%d)", a.rule.From, a.rule.To, a.rule.Status)
	if a.replace {
		s += " replacing"
	}
	if a.reason != "" {
		s += ": " + a.reason
	}
	return s
}

const redirectUsage = "usage: `redirect /old/path https://www.example.org/new [301|302|307|308] [--replace] [--dry-run] [reason]`"

func (rs *Redirects) parse(args []string) (redirectArgs, error) {
	var a redirectArgs
	var rest []string
	for _, w := range args {
		switch strings.ToLower(w) {
		case "--dry-run", "--dryrun":
			a.dry = true
		case "--replace":
			a.replace = true
		default:
			rest = append(rest, w)
		}
	}
	if len(rest) < 2 {
		return a, opsbot.Invalidf(redirectUsage)
	}
	from, err := redirect.NormalizePath(rest[0])
	if err != nil {
		return a, opsbot.Invalidf("source: %w", err)
	}
	if a.target, err = rs.policy.Target(rest[1]); err != nil {
		return a, opsbot.Invalidf("target: %w", err)
	}
	a.rule = redirect.Rule{From: from, To: a.target.URL, Status: 301}
	rest = rest[2:]
	if len(rest) > 0 {
		if n, ok := redirect.ParseStatus(rest[0]); ok {
			a.rule.Status, rest = n, rest[1:]
		} else if len(rest[0]) == 3 && strings.Trim(rest[0], "0123456789") == "" {
			return a, opsbot.Invalidf("status %s: a redirect answers 301, 302, 307 or 308", rest[0])
		}
	}
	a.reason = strings.Join(rest, " ")
	return a, nil
}
