package actions

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge/redirect"
)

// add answers `redirect SOURCE TARGET …`: every check against each edge's
// own map before anyone is asked to confirm.
func (rs *Redirects) add(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	a, err := rs.parse(args)
	if err != nil {
		return refuse(ctx, "", err), nil
	}
	var notes []string
	for _, e := range rs.edges {
		note, err := rs.checkAt(ctx, e, a)
		if err != nil {
			return refuse(ctx, a.String(), fmt.Errorf("%s: %w", e.Name(), err)), nil
		}
		notes = append(notes, "• "+e.Name()+" ("+e.Kind()+"): "+note)
	}
	hits := rs.hits(ctx, a.rule)
	if a.dry {
		bot.NoteFrom(ctx).Action(a.String() + " (dry run)")
		r := &opsbot.Reply{Title: "Dry run: " + a.String(), Text: strings.Join(notes, "\n") + "\nNothing was changed. Run it without --dry-run to add it."}
		return withPathHits(r, hits), nil
	}
	method, why := rs.method(ctx, req, "redirect", a.target.Offsite)
	run := func(ctx context.Context, approval string) (*opsbot.Reply, error) {
		return rs.runAdd(ctx, req, a, approval), nil
	}
	r := rs.s.openWith(ctx, req, "redirect", method, fmt.Sprintf("%s at %s", a, rs.edgeNames()), run, nil)
	if why != "" {
		r.Text = why + "\n" + r.Text
	}
	return withPathHits(r, hits), nil
}

// checkAt checks a against what edge e holds now, and says what it would do.
func (rs *Redirects) checkAt(ctx context.Context, e Redirector, a redirectArgs) (string, error) {
	caps := e.Caps()
	if err := caps.Allows(a.rule); err != nil {
		return "", err
	}
	if err := caps.Fits(a.rule.From, a.rule.Value()); err != nil {
		return "", err
	}
	have, err := e.List(ctx)
	if err != nil {
		return "", fmt.Errorf("could not read the map: %w", err)
	}
	m := redirect.Map(have)
	if err := rs.policy.Check(m, a.rule, a.target, a.replace, caps.Depth); err != nil {
		return "", err
	}
	old, ok := m[a.rule.From]
	if !ok {
		if err := caps.Room(len(have)); err != nil {
			return "", err
		}
		return fmt.Sprintf("would add it (%d rules now)", len(have)), nil
	}
	return fmt.Sprintf("would replace %s → %s (%d)", old.From, old.To, old.Status), nil
}

// method is the confirmation a change needs: an operator's approval when
// the target is off the allowed hosts or the requester is a redirector
// but no operator; else the configured one.
func (rs *Redirects) method(ctx context.Context, req *opsbot.Request, cmd string, offsite bool) (method, why string) {
	switch {
	case offsite:
		return config.ConfirmApproval, "⚠ The target is not on redirects.allowed_hosts: a redirect off the site can serve phishing, so an operator must approve it."
	case !rs.operator(ctx, req):
		return config.ConfirmApproval, "Changes by redirectors are approved by an operator."
	}
	return rs.s.o.Access.ConfirmMethod(cmd), ""
}

// runAdd writes the rule at each edge once confirmed, records it and
// posts the outcome.
func (rs *Redirects) runAdd(ctx context.Context, req *opsbot.Request, a redirectArgs, approval string) *opsbot.Reply {
	now := rs.s.o.Now()
	lines, failed := rs.atEachEdge(func(e Redirector) (string, error) {
		st, err := e.Put(ctx, a.rule)
		if err != nil {
			return "", err
		}
		rec := redirectRecord{Edge: e.Name(), Source: a.rule.From, Target: a.rule.To, Status: a.rule.Status, ByID: req.User.ID,
			ByName: req.User.Name, Reason: a.reason, Approval: approval, Created: now, State: StateActive}
		if err := rs.recs.put(context.WithoutCancel(ctx), rec); err != nil {
			return "", fmt.Errorf("added at the edge, but opsbot's record failed (%w): `redirects` shows it as added by hand", err)
		}
		return fmt.Sprintf("added (%d rules)", st.Used), nil
	})
	return rs.s.outcome(ctx, req, fmt.Sprintf("%s at %s", a, rs.edgeNames()), approval, lines, failed)
}

// atEachEdge runs change at every edge, one line each.
func (rs *Redirects) atEachEdge(change func(Redirector) (string, error)) (lines, failed []string) {
	for _, e := range rs.edges {
		s, err := change(e)
		if err != nil {
			failed = append(failed, e.Name())
			lines = append(lines, fmt.Sprintf("• %s: FAILED: %v", e.Name(), opsbot.ErrorText(err)))
			continue
		}
		lines = append(lines, "• "+e.Name()+": "+s)
	}
	return lines, failed
}

// remove answers `unredirect SOURCE [--dry-run]`.
func (rs *Redirects) remove(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	dry := false
	var rest []string
	for _, w := range args {
		if w == "--dry-run" || w == "--dryrun" {
			dry = true
		} else {
			rest = append(rest, w)
		}
	}
	if len(rest) != 1 {
		return refuse(ctx, "", opsbot.Invalidf("usage: `unredirect /old/path [--dry-run]`")), nil
	}
	from, err := redirect.NormalizePath(rest[0])
	if err != nil {
		return refuse(ctx, "", opsbot.Invalidf("%w", err)), nil
	}
	held, err := rs.heldBy(ctx, from)
	if err != nil {
		return nil, err
	}
	if len(held) == 0 {
		return refuse(ctx, "unredirect "+from, opsbot.NotFoundf("no edge holds a rule for %s: `redirects %s` shows what is there", from, from)), nil
	}
	action := fmt.Sprintf("unredirect %s at %s", from, strings.Join(held, ", "))
	if dry {
		bot.NoteFrom(ctx).Action(action + " (dry run)")
		return &opsbot.Reply{Title: "Dry run: " + action, Text: "Nothing was changed. Run it without --dry-run to remove it."}, nil
	}
	method, why := rs.method(ctx, req, "unredirect", false)
	run := func(ctx context.Context, approval string) (*opsbot.Reply, error) {
		return rs.runRemove(ctx, req, from, action, approval)
	}
	r := rs.s.openWith(ctx, req, "unredirect", method, action, run, nil)
	if why != "" {
		r.Text = why + "\n" + r.Text
	}
	return r, nil
}

// heldBy names the edges whose map holds from.
func (rs *Redirects) heldBy(ctx context.Context, from string) ([]string, error) {
	var names []string
	for _, e := range rs.edges {
		have, err := e.List(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: read the map: %w", e.Name(), err)
		}
		if _, ok := redirect.Map(have)[from]; ok {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func (rs *Redirects) runRemove(ctx context.Context, req *opsbot.Request, from, action, approval string) (*opsbot.Reply, error) {
	recs, err := rs.recs.list(ctx)
	if err != nil {
		return nil, err
	}
	by := who(req.User.ID, req.User.Name)
	lines, failed := rs.atEachEdge(func(e Redirector) (string, error) {
		st, err := e.Delete(ctx, from)
		if err != nil {
			return "", err
		}
		if err := rs.recs.end(context.WithoutCancel(ctx), recs, e.Name(), from, StateRemoved, by, rs.s.o.Now()); err != nil {
			return "", err
		}
		if !st.Changed {
			return "held no such rule", nil
		}
		return fmt.Sprintf("removed (%d rules)", st.Used), nil
	})
	return rs.s.outcome(ctx, req, action, approval, lines, failed), nil
}

func (rs *Redirects) edgeNames() string {
	var n []string
	for _, e := range rs.edges {
		n = append(n, e.Name())
	}
	return strings.Join(n, ", ")
}
