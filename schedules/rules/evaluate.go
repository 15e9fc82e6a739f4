package rules

import (
	"context"
	"sort"
	"time"

	"github.com/opsbot/opsbot"
)

// evaluation is one pass over the rules at now.
type evaluation struct {
	e        *Engine
	now      time.Time
	silenced map[string]bool
	figures  map[string]string
	resolved []resolution
	problems []Rule // problems due
	backs    []Rule // problems that cleared after being posted
}

type resolution struct {
	r Rule
	s State // the state before it reset
}

func (ev *evaluation) evaluate(ctx context.Context, r Rule) {
	s := ev.e.states[r.Name]
	v, res, err := ev.e.measure(ctx, r, ev.now)
	if err != nil {
		ev.e.o.Log.Warn("health rule cannot be evaluated", "rule", r.Name, "err", err)
		if s.Problem == nil {
			s.Problem = &Problem{Since: ev.now}
		}
		s.Problem.Msg = err.Error()
		if problemDue(r, s.Problem, ev.now) && !ev.silenced[r.Name] {
			ev.problems = append(ev.problems, r)
		}
		ev.e.states[r.Name] = s
		return
	}
	if s.Problem != nil && !s.Problem.LastSent.IsZero() {
		ev.backs = append(ev.backs, r)
		ev.e.states[r.Name] = s // the notice clears Problem after reading its thread
	} else {
		s.Problem = nil
	}
	if ev.figures == nil {
		ev.figures = map[string]string{}
	}
	ev.figures[r.Name] = figures(res)
	next, cleared := step(r, s, r.Level(v), v, ev.now)
	if cleared {
		ev.resolved = append(ev.resolved, resolution{r, next})
		next = State{Phase: Inactive, Value: v, Problem: next.Problem}
	}
	ev.e.states[r.Name] = next
}

// paging are the services with an active page: a rule firing at page
// level, or firing with its incident still open at the pager. Their
// warnings are muted (inhibition).
func (ev *evaluation) paging() map[string]bool {
	m := map[string]bool{}
	for _, r := range ev.e.o.Rules {
		if s := ev.e.states[r.Name]; s.Phase == Firing && (s.Level == opsbot.LevelPage || s.Paged) {
			m[r.Service] = true
		}
	}
	return m
}

// groups are the due, unmuted firing rules by service, each group ready
// when its first member has waited group_wait (a repeat or an escalation
// is ready at once).
func (ev *evaluation) groups() [][]Rule {
	paging := ev.paging()
	by := map[string][]Rule{}
	for _, r := range ev.e.o.Rules {
		s := ev.e.states[r.Name]
		if !due(r, s, ev.now) || ev.silenced[r.Name] || s.Level == opsbot.LevelWarn && paging[r.Service] {
			continue
		}
		if s.ReadyAt.IsZero() {
			s.ReadyAt = ev.now
			ev.e.states[r.Name] = s
		}
		by[r.Service] = append(by[r.Service], r)
	}
	var out [][]Rule
	for _, svc := range sortedKeys(by) {
		if ev.ready(by[svc]) {
			out = append(out, by[svc])
		}
	}
	return out
}

func (ev *evaluation) ready(g []Rule) bool {
	first := ev.now
	for _, r := range g {
		s := ev.e.states[r.Name]
		if s.SentLevel > opsbot.LevelAudit {
			return true
		}
		if s.ReadyAt.Before(first) {
			first = s.ReadyAt
		}
	}
	return !ev.now.Before(first.Add(ev.e.o.GroupWait))
}

func (ev *evaluation) send(ctx context.Context) {
	for _, g := range ev.groups() {
		ev.fire(ctx, g)
	}
	for _, x := range ev.resolved {
		ev.resolve(ctx, x)
	}
	if len(ev.problems) > 0 {
		ev.problem(ctx)
	}
	for _, r := range ev.backs {
		ev.back(ctx, r)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
