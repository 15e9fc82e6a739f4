package actions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/edge/redirect"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
)

var redirectColumns = []opsbot.Column{
	{Name: "source", Type: "String"}, {Name: "target", Type: "String"}, {Name: "status", Type: "UInt16"}, {Name: "edge", Type: "String"},
	{Name: "state", Type: "String"}, {Name: "by", Type: "String"}, {Name: "since", Type: "String"}, {Name: "reason", Type: "String"},
}

// list answers `redirects [FILTER]`: each edge's map, read back, matched
// with opsbot's records. A rule with no record was added by hand; an
// active record the edge no longer holds was removed by hand (its record
// is closed as gone). FILTER keeps rows whose source or target contains it.
func (rs *Redirects) list(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	filter := strings.Join(args, " ")
	recs, err := rs.recs.list(ctx)
	if err != nil {
		return nil, err
	}
	res := &opsbot.Result{Columns: redirectColumns}
	var problems []string
	for _, e := range rs.edges {
		held, err := e.List(ctx)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s could not be read (%v)", e.Name(), err))
			continue
		}
		rows, err := rs.reconcile(ctx, e.Name(), recs, held, req)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			if filter == "" || strings.Contains(row[0].(string), filter) || strings.Contains(row[1].(string), filter) {
				res.Rows = append(res.Rows, row)
			}
		}
	}
	r := &opsbot.Reply{Title: "Redirects at " + rs.edgeNames(), Table: res,
		Context: fmt.Sprintf("%d rules · the edges' own maps are the source of truth · `redirect test /path` follows one", len(res.Rows))}
	if len(res.Rows) == 0 {
		r.Table, r.Text = nil, "No redirects."
	}
	if len(problems) > 0 {
		r.Text = strings.TrimSpace(r.Text + "\n" + strings.Join(problems, "\n"))
	}
	return r, nil
}

func (rs *Redirects) reconcile(ctx context.Context, name string, recs []redirectRecord, held []redirect.Rule, req *opsbot.Request) ([][]any, error) {
	m := redirect.Map(held)
	seen := map[string]bool{}
	var rows [][]any
	for _, r := range recs {
		if r.Edge != name || r.State != StateActive || seen[r.Source] {
			continue
		}
		seen[r.Source] = true
		have, ok := m[r.Source]
		switch {
		case !ok:
			r.State, r.Ended, r.EndedBy = StateGone, rs.s.now(req), "edge"
			if err := rs.recs.put(ctx, r); err != nil {
				return nil, err
			}
			rows = append(rows, []any{r.Source, r.Target, uint64(r.Status), name, "removed at the edge by hand", who(r.ByID, r.ByName), stamp(r.Created), r.Reason})
		case !rs.policy.SameTarget(have.To, r.Target) || have.Status != r.Status:
			rows = append(rows, []any{have.From, have.To, uint64(have.Status), name, fmt.Sprintf("changed at the edge by hand (opsbot set %d %s)", r.Status, r.Target), who(r.ByID, r.ByName), stamp(r.Created), r.Reason})
		default:
			rows = append(rows, []any{r.Source, r.Target, uint64(r.Status), name, StateActive, who(r.ByID, r.ByName), stamp(r.Created), r.Reason})
		}
	}
	for _, h := range held {
		if seen[h.From] {
			continue
		}
		state := "at the edge, not added through opsbot"
		if h.Status == 0 {
			state = "at the edge, not a redirect opsbot can read (the edge skips it)"
		}
		rows = append(rows, []any{h.From, h.To, uint64(h.Status), name, state, "", "", ""})
	}
	return rows, nil
}

// test answers `redirect test /path`: what a request gets now at each
// edge, following the chain the map defines, and the path's traffic.
func (rs *Redirects) test(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	if len(args) != 1 {
		return refuse(ctx, "", opsbot.Invalidf("usage: `redirect test /path`")), nil
	}
	path, err := redirect.NormalizePath(args[0])
	if err != nil || strings.HasSuffix(path, "*") {
		return refuse(ctx, "", opsbot.Invalidf("give one path to test, e.g. `redirect test /donate-now`")), nil
	}
	var lines []string
	for _, e := range rs.edges {
		held, err := e.List(ctx)
		if err != nil {
			lines = append(lines, fmt.Sprintf("• %s: could not read the map: %v", e.Name(), err))
			continue
		}
		lines = append(lines, "• "+e.Name()+": "+rs.describeChain(held, path, e.Caps().Depth))
	}
	r := &opsbot.Reply{Title: "Redirect test: " + path, Text: strings.Join(lines, "\n")}
	return withPathHits(r, rs.hits(ctx, redirect.Rule{From: path})), nil
}

func (rs *Redirects) describeChain(held []redirect.Rule, path string, depth int) string {
	hops, loop := rs.policy.Follow(redirect.Map(held), path, depth)
	if len(hops) == 0 {
		return "no redirect: the request goes to the origin"
	}
	var parts []string
	for _, h := range hops {
		parts = append(parts, fmt.Sprintf("%s → %d Location: %s (rule %s)", h.Path, h.Rule.Status, h.Rule.To, h.Rule.From))
	}
	s := strings.Join(parts, ", then ")
	switch {
	case loop:
		s += " ⚠ a loop: browsers give up"
	case len(hops) > 1:
		s += fmt.Sprintf(" ⚠ %d hops: point %s straight at %s", len(hops), path, hops[len(hops)-1].Rule.To)
	}
	return s
}

// hits runs the named query redirect_hits for the last 24 hours of
// requests to r's source (and below it, for a prefix rule).
func (rs *Redirects) hits(ctx context.Context, r redirect.Rule) *opsbot.Reply {
	now := rs.s.o.Now()
	below := "0"
	if r.Prefix() {
		below = "1"
	}
	p := opsbot.Params{"path": r.Base(), "below": below, "limit": "10",
		"since": warehouse.TimeParam(now.Add(-24 * time.Hour)), "until": warehouse.TimeParam(now)}
	res, _, err := sql.DefaultCatalog().Run(ctx, rs.s.o.Warehouse, "redirect_hits", p, now)
	if err != nil {
		return &opsbot.Reply{Text: "(could not read its traffic: " + err.Error() + ")"}
	}
	var total uint64
	for _, row := range res.Rows {
		n, _ := row[res.Col("requests")].(uint64)
		total += n
	}
	out := &opsbot.Reply{Title: fmt.Sprintf("Requests for %s, last 24h: %d", r.From, total), Table: res,
		Context: "named query redirect_hits · `sql/queries/redirect_hits.sql`"}
	if total == 0 {
		out.Table = nil
	}
	return out
}

// withPathHits puts a path's traffic under r.
func withPathHits(r, hits *opsbot.Reply) *opsbot.Reply {
	if hits == nil {
		return r
	}
	for _, t := range []string{hits.Title, hits.Text} {
		if t != "" {
			r.Text += "\n*Traffic:* " + t
		}
	}
	if hits.Table != nil {
		r.Table, r.Context = hits.Table, hits.Context
	}
	return r
}
