package actions

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/edge"
)

// recentEnded is how far back `bans` shows lifted bans.
const recentEnded = 24 * time.Hour

var banColumns = []opsbot.Column{
	{Name: "prefix", Type: "String"}, {Name: "edge", Type: "String"}, {Name: "state", Type: "String"},
	{Name: "by", Type: "String"}, {Name: "since", Type: "String"}, {Name: "expires", Type: "String"}, {Name: "reason", Type: "String"},
}

// list answers `bans`: opsbot's records reconciled with each edge, whose
// own set is the source of truth.
func (s *Skill) list(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	now := s.now(req)
	recs, err := s.bans.list(ctx, now.Add(-recentEnded))
	if err != nil {
		return nil, err
	}
	res := &opsbot.Result{Columns: banColumns}
	var problems []string
	for _, e := range s.o.Edges {
		held, err := e.List(ctx)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s could not be read (%v): its rows show opsbot's record only", e.Name(), err))
			held = nil
		}
		rows, err := s.reconcile(ctx, e.Name(), recs, held, err == nil, now)
		if err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, rows...)
	}
	r := &opsbot.Reply{Title: s.bansTitle(), Table: res,
		Context: fmt.Sprintf("%d rows · the edges' own sets are the source of truth · lifted bans shown for %s", len(res.Rows), human(recentEnded))}
	if len(res.Rows) == 0 {
		r.Table, r.Text = nil, "No bans."
	}
	if len(s.o.Edges) == 0 {
		r.Text = strings.TrimSpace(r.Text + "\n" + noEdge)
	}
	if len(problems) > 0 {
		r.Text = strings.TrimSpace(r.Text + "\n" + strings.Join(problems, "\n"))
	}
	return r, nil
}

// reconcile matches one edge's entries with opsbot's records. An active
// record the edge no longer holds was removed by hand: it is marked gone.
// An entry without a record was added outside opsbot.
func (s *Skill) reconcile(ctx context.Context, name string, recs []record, held []edge.Entry, read bool, now time.Time) ([][]any, error) {
	var rows [][]any
	matched := make([]bool, len(held))
	for _, r := range recs {
		if r.Edge != name {
			continue
		}
		p, _ := netip.ParsePrefix(r.Prefix)
		state := r.State
		if i := find(held, p); i >= 0 {
			matched[i] = true
		} else if read && r.State == StateActive {
			state = StateGone
			r.State, r.Ended, r.EndedBy = StateGone, now, "edge"
			if err := s.bans.put(ctx, r); err != nil {
				return nil, err
			}
		}
		rows = append(rows, []any{r.Prefix, name, label(state, r), who(r.ByID, r.ByName), stamp(r.Created), stamp(r.Expires), r.Reason})
	}
	for i, en := range held {
		if !matched[i] {
			rows = append(rows, []any{en.Prefix.String(), name, "at the edge, not banned through opsbot", "", "", "", en.Comment})
		}
	}
	return rows, nil
}

func find(held []edge.Entry, p netip.Prefix) int {
	for i, en := range held {
		if edge.Contains(en.Prefix, p) {
			return i
		}
	}
	return -1
}

func label(state string, r record) string {
	switch state {
	case StateGone:
		return "removed at the edge by hand"
	case StateUnbanned:
		return "unbanned by " + r.EndedBy + " " + stamp(r.Ended)
	case StateExpired:
		return "expired " + stamp(r.Ended)
	}
	return state
}

// noEdge says why `bans` lists no edge, and how to add one.
const noEdge = "No edge is configured, so nothing can be banned: add one under `edges:` in the config " +
	"(waf, fastly or cloudflare; see opsbot.example.yaml) and restart opsbot."

// bansTitle names the edges whose bans are listed.
func (s *Skill) bansTitle() string {
	if len(s.o.Edges) == 0 {
		return "Bans: no edge configured"
	}
	return "Bans at " + s.edgeNames()
}
