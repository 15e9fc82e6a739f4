package rules

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// fire posts one message for a group of firing rules and pages for those
// at page level.
func (ev *evaluation) fire(ctx context.Context, g []Rule) {
	level := opsbot.LevelWarn
	for _, r := range g {
		level = max(level, ev.e.states[r.Name].Level)
	}
	ts, err := ev.e.o.Sender.Post(ctx, level, "", ev.firing(g, level))
	if err != nil {
		ev.e.o.Log.Error("post health alert", "rules", names(g), "err", err)
		if level < opsbot.LevelPage {
			return // try again at the next evaluation
		}
	}
	for _, r := range g {
		s := ev.e.states[r.Name]
		if s.Level == opsbot.LevelPage { // first, escalation or repeat: one dedup key updates one incident
			perr := ev.e.o.Sender.Page(ctx, ev.page(r, s, opsbot.PageTrigger), ts)
			s.Paged = s.Paged || perr == nil
		}
		if s.Thread == "" && ts != "" {
			s.Thread, s.ThreadLevel = ts, level
		}
		s.SentLevel, s.LastSent, s.ReadyAt = s.Level, ev.now, time.Time{}
		ev.e.states[r.Name] = s
	}
}

func (ev *evaluation) firing(g []Rule, level opsbot.Level) opsbot.Reply {
	tag := "WARN"
	if level == opsbot.LevelPage {
		tag = "PAGE"
	}
	var b strings.Builder
	for _, r := range g {
		s := ev.e.states[r.Name]
		fmt.Fprintf(&b, "• *%s* (%s): *%s*, %s over %s%s\n", r.Name, r.Summary, r.Format(s.Value),
			r.Threshold(s.Level), window(r), ev.since(s))
		if f := ev.figures[r.Name]; f != "" {
			fmt.Fprintf(&b, "   %s\n", f)
		}
		if r.Dig != "" {
			fmt.Fprintf(&b, "   dig: `opsbot %s`", r.Dig)
			if ev.e.o.WebURL != "" {
				fmt.Fprintf(&b, " · %s/ask?q=%s", strings.TrimSuffix(ev.e.o.WebURL, "/"), url.QueryEscape(r.Dig))
			}
		}
		if r.Link != "" {
			fmt.Fprintf(&b, " · <%s|dashboard>", r.Link)
		}
		b.WriteString("\n")
	}
	title := fmt.Sprintf("%s · %s: %s %s", tag, g[0].Name, g[0].Summary, g[0].Format(ev.e.states[g[0].Name].Value))
	if len(g) > 1 {
		title = fmt.Sprintf("%s · %d rules firing for %s: %s", tag, len(g), g[0].Service, strings.Join(names(g), ", "))
	}
	return opsbot.Reply{Title: title, Text: strings.TrimSpace(b.String()),
		Context: fmt.Sprintf("service %s · silence: `opsbot silence %s 2h REASON` · resolved notices go in this thread", g[0].Service, g[0].Name)}
}

func (ev *evaluation) since(s State) string {
	if s.SentLevel > opsbot.LevelAudit {
		return fmt.Sprintf(", still firing since %s (%s)", s.FiredAt.UTC().Format("15:04 UTC"), ev.now.Sub(s.ActiveAt).Round(time.Minute))
	}
	return fmt.Sprintf(", for %s", ev.now.Sub(s.ActiveAt).Round(time.Second))
}

func window(r Rule) string { return "the last " + Dur(r.Window) }

// Dur is d without zero units: 5m, 1h30m, 2h.
func Dur(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// page is the pager request for rule r: one dedup key per rule so that
// repeats update one incident.
func (ev *evaluation) page(r Rule, s State, a opsbot.PageAction) opsbot.Page {
	p := opsbot.Page{
		Service: r.Service, Action: a, DedupKey: "opsbot-" + r.Name, Severity: "critical",
		Source:  "opsbot rule " + r.Name,
		Summary: fmt.Sprintf("%s: %s %s (%s)", r.Name, r.Summary, r.Format(s.Value), r.Threshold(opsbot.LevelPage)),
		Details: map[string]string{"rule": r.Name, "value": r.Format(s.Value), "threshold": r.Threshold(opsbot.LevelPage),
			"firing_since": s.FiredAt.UTC().Format(time.RFC3339)},
	}
	if r.Dig != "" {
		p.Details["dig"] = "opsbot " + r.Dig
		p.Details["explain"] = "opsbot explain " + r.Dig
	}
	if f := ev.figures[r.Name]; f != "" {
		p.Details["figures"] = f
	}
	if r.Link != "" {
		p.Links = append(p.Links, opsbot.Link{Text: "dashboard", Href: r.Link})
	}
	if a == opsbot.PageResolve {
		p.Summary = fmt.Sprintf("%s resolved: %s %s", r.Name, r.Summary, r.Format(s.Value))
	}
	return p
}

// resolve posts the resolved notice in the warning's thread and closes
// the incident.
func (ev *evaluation) resolve(ctx context.Context, x resolution) {
	r, s := x.r, x.s
	if s.Paged {
		ev.e.o.Sender.Page(ctx, ev.page(r, s, opsbot.PageResolve), s.Thread)
	}
	if s.SentLevel == opsbot.LevelAudit {
		return // never posted (silenced, inhibited or within group wait): nothing to resolve in chat
	}
	reply := opsbot.Reply{
		Title: fmt.Sprintf("RESOLVED · %s: %s back to %s", r.Name, r.Summary, r.Format(s.Value)),
		Text: fmt.Sprintf("fired %s, clear since %s (%s in all)", s.FiredAt.UTC().Format("2006-01-02 15:04 UTC"),
			s.LastTrue.UTC().Format("15:04 UTC"), s.LastTrue.Sub(s.ActiveAt).Round(time.Minute)),
	}
	if _, err := ev.e.o.Sender.Post(ctx, s.ThreadLevel, s.Thread, reply); err != nil {
		ev.e.o.Log.Error("post resolved notice", "rule", r.Name, "err", err)
	}
}

// problem posts one warning for the rules that cannot be evaluated.
func (ev *evaluation) problem(ctx context.Context) {
	var b strings.Builder
	for _, r := range ev.problems {
		p := ev.e.states[r.Name].Problem
		fmt.Fprintf(&b, "• *%s* since %s: %s\n", r.Name, p.Since.UTC().Format("15:04 UTC"), p.Msg)
	}
	reply := opsbot.Reply{
		Title:   fmt.Sprintf("WARN · %d health rule(s) cannot be evaluated: %s", len(ev.problems), strings.Join(names(ev.problems), ", ")),
		Text:    strings.TrimSpace(b.String()),
		Context: "a rule without data cannot tell an outage; check ingest (`opsbot status last 3h`) and the warehouse",
	}
	ts, err := ev.e.o.Sender.Post(ctx, opsbot.LevelWarn, "", reply)
	if err != nil {
		ev.e.o.Log.Error("post rule problem", "err", err)
		return
	}
	for _, r := range ev.problems {
		s := ev.e.states[r.Name]
		p := *s.Problem
		p.LastSent = ev.now
		if p.Thread == "" {
			p.Thread = ts
		}
		s.Problem = &p
		ev.e.states[r.Name] = s
	}
}

// back says in the problem's thread that the rule evaluates again.
func (ev *evaluation) back(ctx context.Context, r Rule) {
	s := ev.e.states[r.Name]
	if s.Problem == nil {
		return
	}
	reply := opsbot.Reply{Title: fmt.Sprintf("RESOLVED · %s evaluates again: %s", r.Name, r.Format(s.Value))}
	if _, err := ev.e.o.Sender.Post(ctx, opsbot.LevelWarn, s.Problem.Thread, reply); err != nil {
		ev.e.o.Log.Error("post rule back", "rule", r.Name, "err", err)
		return
	}
	s.Problem = nil
	ev.e.states[r.Name] = s
}

func names(rs []Rule) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}
