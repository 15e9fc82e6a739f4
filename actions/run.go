package actions

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/internal/retry"
)

// runBan bans at every edge once confirmed, records each success and
// posts the outcome to the audit room.
func (s *Skill) runBan(ctx context.Context, req *opsbot.Request, a banArgs, approval string) (*opsbot.Reply, error) {
	now := s.o.Now()
	meta := edge.Meta{By: who(req.User.ID, req.User.Name), Reason: a.reason, Expires: now.Add(a.dur)}
	lines, failed := s.atEachEdge("added", "already blocked; expiry set", func(e Edge) (edge.Status, error) {
		return s.banAt(ctx, e, a.prefix, meta, record{Edge: e.Name(), Prefix: a.prefix.String(), ByID: req.User.ID, ByName: req.User.Name,
			Reason: a.reason, Approval: approval, Created: now, Expires: meta.Expires, State: StateActive})
	})
	action := fmt.Sprintf("%s at %s", a, s.edgeNames())
	return s.outcome(ctx, req, action, approval, lines, failed), nil
}

// banAt bans p at e and records it: the record is what expires the ban.
// A ban whose record cannot be written is lifted again, unless the edge
// held p before (then its earlier record, if any, still expires it). One
// that can be neither recorded nor lifted is logged as an error, posted
// to the alerts room and answered, naming the entry to remove by hand.
// The record and the undo run even if ctx is cancelled.
func (s *Skill) banAt(ctx context.Context, e Edge, p netip.Prefix, m edge.Meta, r record) (edge.Status, error) {
	st, err := e.Ban(ctx, p, m)
	if err != nil {
		return st, err
	}
	ctx = context.WithoutCancel(ctx)
	rerr := s.record(ctx, r)
	switch {
	case rerr == nil:
		return st, nil
	case !st.Changed:
		return st, fmt.Errorf("already blocked there, but this ban's expiry was not recorded (%w): it keeps the expiry it had, if any: `bans` shows it", rerr)
	}
	if _, uerr := e.Unban(ctx, p); uerr != nil {
		return st, s.stranded(ctx, e, p, rerr, uerr)
	}
	return st, fmt.Errorf("banned, but the ban could not be recorded (%w), so it was lifted again: nothing is blocked there; try again", rerr)
}

// record writes r, retrying every failure as RecordBackoff allows.
func (s *Skill) record(ctx context.Context, r record) error {
	return retry.Do(ctx, s.o.RecordBackoff(), func() (bool, error) {
		return true, s.bans.put(ctx, r)
	})
}

// stranded reports p left blocked at e with no record to expire it: an
// error in the log, a post to the alerts room, and the returned error for
// the reply.
func (s *Skill) stranded(ctx context.Context, e Edge, p netip.Prefix, rerr, uerr error) error {
	err := fmt.Errorf("%s is blocked at %s (%s) with NO expiry: opsbot could not record the ban (%w) nor lift it again (%w). Remove %s from %s by hand, or `unban %s` once the edge accepts it",
		p, e.Name(), e.Kind(), rerr, uerr, p, e.Name(), p)
	s.o.Log.Error("ban left at an edge without an expiry", "edge", e.Name(), "kind", e.Kind(), "prefix", p.String(),
		"record_error", rerr, "unban_error", uerr)
	if s.o.Alerts == nil {
		return err
	}
	m := opsbot.Message{Channel: s.o.AlertRoom, Reply: opsbot.Reply{
		Title: fmt.Sprintf("Ban without expiry: %s at %s", p, e.Name()), Text: capitalize(err.Error())}}
	if _, perr := s.o.Alerts.Post(ctx, m); perr != nil {
		s.o.Log.Error("could not post a ban without expiry to the alerts room", "room", s.o.AlertRoom, "prefix", p.String(), "err", perr)
	}
	return err
}

// atEachEdge runs change at every edge, one line each: what changed (or
// that it already was so), or the failure.
func (s *Skill) atEachEdge(changed, same string, change func(Edge) (edge.Status, error)) (lines, failed []string) {
	for _, e := range s.o.Edges {
		st, err := change(e)
		if err != nil {
			failed = append(failed, e.Name())
			lines = append(lines, fmt.Sprintf("• %s: FAILED: %v", e.Name(), err))
			continue
		}
		s.noteUsage(e.Name(), st)
		lines = append(lines, "• "+e.Name()+": "+describe(st, changed, same))
	}
	return lines, failed
}

func describe(st edge.Status, changed, same string) string {
	s := same
	if st.Changed {
		s = changed
	}
	if st.Limit > 0 {
		s += fmt.Sprintf(" (%d of %d entries)", st.Used, st.Limit)
	}
	if st.NearlyFull() {
		s += " ⚠ the set is over 90% full"
	}
	if st.Note != "" {
		s += "; " + st.Note
	}
	return s
}

// outcome notes the action for the router's audit entry, posts it to the
// audit room and answers the person.
func (s *Skill) outcome(ctx context.Context, req *opsbot.Request, action, approval string, lines, failed []string) *opsbot.Reply {
	n := bot.NoteFrom(ctx)
	n.Action(action)
	n.Approval(approval)
	result := "ok"
	if len(failed) > 0 {
		result = "error: failed at " + strings.Join(failed, ", ")
	}
	perr := s.post(ctx, opsbot.AuditEntry{Time: s.o.Now(), User: req.User, Channel: req.Channel, Transport: req.Transport,
		Text: req.Text, Action: action, Allowed: true, Result: result + "\n" + strings.Join(lines, "\n"), Approval: approval})
	r := &opsbot.Reply{Title: "Done: " + action, Text: strings.Join(lines, "\n"), Context: "confirmed: " + approval}
	if perr != nil {
		r.Text += "\n(" + perr.Error() + ": tell the team yourself)"
	}
	if len(failed) > 0 {
		r.Title = fmt.Sprintf("%s: failed at %s", action, strings.Join(failed, ", "))
		r.Ephemeral = true // the router audits it as not ok
	}
	return r
}

// post sends e to the audit room; a failure is reported to the person,
// the action stands.
func (s *Skill) post(ctx context.Context, e opsbot.AuditEntry) error {
	if s.o.Audit == nil {
		return nil
	}
	return s.o.Audit.Post(context.WithoutCancel(ctx), e)
}

func (s *Skill) noteUsage(name string, st edge.Status) {
	if st.Limit == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.usage[name] = st
}

func (s *Skill) unban(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	if len(args) != 1 {
		return refuse(ctx, "", opsbot.Invalidf("usage: `unban IP|CIDR`")), nil
	}
	p, err := Parse(args[0])
	if err != nil {
		return refuse(ctx, "", err), nil
	}
	if len(s.o.Edges) == 0 {
		return refuse(ctx, "unban "+p.String(), errors.New("no edge is configured")), nil
	}
	run := func(ctx context.Context, approval string) (*opsbot.Reply, error) {
		return s.runUnban(ctx, req, p, approval)
	}
	return s.open(ctx, req, "unban", fmt.Sprintf("unban %s at %s", p, s.edgeNames()), run, nil), nil
}

func (s *Skill) runUnban(ctx context.Context, req *opsbot.Request, p netip.Prefix, approval string) (*opsbot.Reply, error) {
	recs, err := s.bans.list(ctx, s.o.Now())
	if err != nil {
		return nil, err
	}
	lines, failed := s.atEachEdge("removed", "was not blocked there", func(e Edge) (edge.Status, error) {
		st, err := e.Unban(ctx, p)
		if err != nil {
			return st, err
		}
		return st, s.end(ctx, recs, e.Name(), p, StateUnbanned, who(req.User.ID, req.User.Name))
	})
	return s.outcome(ctx, req, fmt.Sprintf("unban %s at %s", p, s.edgeNames()), approval, lines, failed), nil
}

// end closes the active record of p at edge, if there is one.
func (s *Skill) end(ctx context.Context, recs []record, edgeName string, p netip.Prefix, state, by string) error {
	for _, r := range recs {
		if r.Edge == edgeName && r.Prefix == p.String() && r.State == StateActive {
			r.State, r.Ended, r.EndedBy = state, s.o.Now(), by
			return s.bans.put(ctx, r)
		}
	}
	return nil
}
