package actions

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge"
)

// banArgs is a parsed `ban IP|CIDR [for 24h] [reason] [--dry-run]`.
type banArgs struct {
	prefix netip.Prefix
	dur    time.Duration
	reason string
	dry    bool
}

func (a banArgs) String() string {
	s := fmt.Sprintf("ban %s for %s", a.prefix, human(a.dur))
	if a.reason != "" {
		s += ": " + a.reason
	}
	return s
}

func (s *Skill) parseBan(args []string) (banArgs, error) {
	var a banArgs
	var rest []string
	for _, w := range args {
		if w == "--dry-run" || w == "--dryrun" {
			a.dry = true
		} else {
			rest = append(rest, w)
		}
	}
	if len(rest) == 0 {
		return a, opsbot.Invalidf("usage: `ban IP|CIDR [for 24h] [reason] [--dry-run]`")
	}
	p, err := Parse(rest[0])
	if err != nil {
		return a, err
	}
	a.prefix, a.dur, rest = p, s.o.Rails.DefaultFor, rest[1:]
	if len(rest) >= 2 && strings.EqualFold(rest[0], "for") {
		if a.dur, err = parseFor(rest[1], s.o.Rails.MaxFor); err != nil {
			return a, opsbot.Invalidf("%w", err)
		}
		rest = rest[2:]
	}
	a.reason = strings.Join(rest, " ")
	return a, nil
}

func (s *Skill) ban(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	a, err := s.parseBan(args)
	if err != nil {
		return refuse(ctx, "", err), nil
	}
	if err := s.rails.Check(a.prefix, s.self(ctx, req.User)); err != nil {
		return refuse(ctx, a.String(), err), nil
	}
	if len(s.o.Edges) == 0 {
		return refuse(ctx, a.String(), errors.New("no edge is configured (edges.waf, edges.fastly or edges.cloudflare)")), nil
	}
	hits := s.hits(ctx, a.prefix)
	if a.dry {
		bot.NoteFrom(ctx).Action(a.String() + " (dry run)")
		return s.dryRun(ctx, a, hits), nil
	}
	now := s.now(req)
	run := func(ctx context.Context, approval string) (*opsbot.Reply, error) {
		return s.runBan(ctx, req, a, approval)
	}
	summary := fmt.Sprintf("%s at %s, until %s", a, s.edgeNames(), stamp(now.Add(a.dur)))
	details := []access.Detail{{Name: "prefix", Value: a.prefix.String()}, {Name: "edges", Value: s.edgeNames()},
		{Name: "for", Value: human(a.dur)}, {Name: "expires", Value: stamp(now.Add(a.dur))}, {Name: "reason", Value: a.reason}}
	return s.ask(ctx, req, access.Action{Command: "ban", Summary: summary, Method: s.o.Access.ConfirmMethod("ban"), Details: details, Run: run}, hits), nil
}

func (s *Skill) self(ctx context.Context, u opsbot.User) []netip.Addr {
	if s.o.SelfAddrs == nil {
		return nil
	}
	return s.o.SelfAddrs(ctx, u)
}

func (s *Skill) edgeNames() string {
	var n []string
	for _, e := range s.o.Edges {
		n = append(n, e.Name())
	}
	return strings.Join(n, ", ")
}

// hits shows what the client did, or says why it can't.
func (s *Skill) hits(ctx context.Context, p netip.Prefix) *opsbot.Reply {
	if s.o.Hits == nil {
		return nil
	}
	ip := p.String()
	if p.IsSingleIP() {
		ip = p.Addr().String()
	}
	r, err := s.o.Hits(ctx, ip)
	if err != nil {
		return &opsbot.Reply{Text: "(could not look up its traffic: " + err.Error() + ")"}
	}
	return r
}

func (s *Skill) dryRun(ctx context.Context, a banArgs, hits *opsbot.Reply) *opsbot.Reply {
	var lines []string
	for _, e := range s.o.Edges {
		lines = append(lines, "• "+e.Name()+" ("+e.Kind()+"): "+s.wouldBan(ctx, e, a.prefix))
	}
	r := &opsbot.Reply{
		Title: "Dry run: " + a.String(),
		Text:  strings.Join(lines, "\n") + "\nNothing was changed. Run it without --dry-run to ban.",
	}
	withHits(r, hits)
	return r
}

func (s *Skill) wouldBan(ctx context.Context, e Edge, p netip.Prefix) string {
	have, err := e.List(ctx)
	if err != nil {
		return "could not read the edge: " + err.Error()
	}
	for _, en := range have {
		if edge.Contains(en.Prefix, p) {
			return fmt.Sprintf("already blocked by %s, nothing to add", en.Prefix)
		}
	}
	return fmt.Sprintf("would add %s (%d entries now)", p, len(have))
}

func withHits(r *opsbot.Reply, hits *opsbot.Reply) {
	if hits == nil {
		return
	}
	r.Table, r.Record = hits.Table, hits.Record
	for _, t := range []string{hits.Title, hits.Text} {
		if t != "" {
			r.Text += "\n*What this client did:* " + t
		}
	}
	r.Context = hits.Context
}

// open asks for the confirmation the command's configured method needs.
func (s *Skill) open(ctx context.Context, req *opsbot.Request, cmd, summary string, run func(context.Context, string) (*opsbot.Reply, error), hits *opsbot.Reply) *opsbot.Reply {
	return s.openWith(ctx, req, cmd, s.o.Access.ConfirmMethod(cmd), summary, run, hits)
}

// openWith asks for the confirmation method names.
func (s *Skill) openWith(ctx context.Context, req *opsbot.Request, cmd, method, summary string, run func(context.Context, string) (*opsbot.Reply, error), hits *opsbot.Reply) *opsbot.Reply {
	return s.ask(ctx, req, access.Action{Command: cmd, Summary: summary, Method: method, Run: run}, hits)
}

// ask opens a's confirmation for req's asker and says how to give it.
func (s *Skill) ask(ctx context.Context, req *opsbot.Request, a access.Action, hits *opsbot.Reply) *opsbot.Reply {
	method, summary := a.Method, a.Summary
	if method == "totp" && s.o.TOTP == nil {
		return refuse(ctx, summary, errNoTOTP(s.o.Access.SecretKeyEnv))
	}
	if method == config.ConfirmOIDC && s.o.ConfirmPage == nil {
		return refuse(ctx, summary, errors.New("oidc confirmations need opsbot's web pages: set web.base_url and web.oidc"))
	}
	a.Requester, a.Channel, a.Text, a.Hits = req.User, req.Channel, req.Text, hits
	p := s.o.Confirmations.Open(a)
	bot.NoteFrom(ctx).Action(fmt.Sprintf("%s (awaiting %s confirmation %s)", summary, method, p.ID))
	r := &opsbot.Reply{Title: "Confirm: " + summary}
	within := human(s.o.Access.ConfirmWithin)
	switch method {
	case "button":
		r.Text = fmt.Sprintf("Press Confirm within %s (confirmation %s).", within, p.ID)
		r.Buttons = []opsbot.Button{{Label: "Confirm", Command: "confirm " + p.ID, Style: "danger"}, {Label: "Cancel", Command: "cancel " + p.ID}}
	case "approval":
		r.Text = fmt.Sprintf("This needs a second operator: someone other than %s types `approve %s` within %s.", who(req.User.ID, req.User.Name), p.ID, within)
		r.Buttons = []opsbot.Button{{Label: "Approve", Command: "approve " + p.ID, Style: "danger"}, {Label: "Cancel", Command: "cancel " + p.ID}}
	case config.ConfirmOIDC:
		r.Text = fmt.Sprintf("Sign in and press Confirm on %s within %s (confirmation %s).", s.o.ConfirmPage(p.ID), within, p.ID)
		r.Buttons = []opsbot.Button{{Label: "Cancel", Command: "cancel " + p.ID}}
	default:
		r.Text = fmt.Sprintf("Send me `confirm %s CODE` in a direct message within %s, CODE from your authenticator app (`2fa enroll` in a DM to set one up).", p.ID, within)
		r.Buttons = []opsbot.Button{{Label: "Cancel", Command: "cancel " + p.ID}}
	}
	withHits(r, hits)
	return r
}
