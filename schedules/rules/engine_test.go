package rules_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/schedules/rules"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func at(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

// outage: 1% errors from 09:00, every request fails 10:00–10:19, then 1%.
func outage(wd *world) {
	wd.traffic(at(-60), at(40), 100, func(m time.Time) int {
		if !m.Before(at(0)) && m.Before(at(20)) {
			return 100
		}
		return 1
	})
}

// the story of the outage as the team should see it: pending 10:01–10:02,
// firing at 10:03, posted after the group wait at 10:04, repeated every
// 10 minutes, clear from 10:25 and resolved after keep_firing_for (3m) at
// 10:27, in the first post's thread.
// Window values: 10:04 sees 09:59–10:04, 1 minute at 1% and 4 at 100%
// (80.2%); 10:14 all failing; 10:24 one failing minute (20.8%). (Within a
// minute the test lists posts before pages.)
var story = []event{
	{"10:04", "post tech-pages: PAGE · 5xx-ratio: share of requests answered 5xx 80.2%"},
	{"10:04", "pagerduty trigger opsbot-5xx-ratio"},
	{"10:14", "post tech-pages: PAGE · 5xx-ratio: share of requests answered 5xx 100.0%"},
	{"10:14", "pagerduty trigger opsbot-5xx-ratio"},
	{"10:24", "post tech-pages: PAGE · 5xx-ratio: share of requests answered 5xx 20.8%"},
	{"10:24", "pagerduty trigger opsbot-5xx-ratio"},
	{"10:27", "post tech-pages thread 1764000000.000001: RESOLVED · 5xx-ratio: share of requests answered 5xx back to 1.0%"},
	{"10:27", "pagerduty resolve opsbot-5xx-ratio"},
}

// phases the rule is in after each minute's evaluation.
var phases = map[int]string{1: rules.Pending, 2: rules.Pending, 3: rules.Firing, 4: rules.Firing, 15: rules.Firing, 26: rules.Firing, 27: rules.Inactive}

func TestPendingFiringRepeatingResolved(t *testing.T) {
	wd := newWorld(t, only5xx(ptr(0.10)))
	outage(wd)
	got := play(t, wd, -1)
	if !slices.Equal(got, story) {
		t.Fatalf("got\n%s\nwant\n%s", show(got), show(story))
	}
	wd.pd.mu.Lock()
	trig := wd.pd.events[0]
	wd.pd.mu.Unlock()
	payload := trig["payload"].(map[string]any)
	if trig["routing_key"] != "routing-key" || payload["severity"] != "critical" || payload["component"] != "web" ||
		!strings.HasPrefix(payload["summary"].(string), "5xx-ratio: share of requests answered 5xx 80.2% (above 10.0%)") {
		t.Fatalf("trigger event %v", trig)
	}
	first := wd.posts.msgs[0].Reply
	if !strings.Contains(first.Text, "dig: `opsbot top 5xx by path last 15m`") || !strings.Contains(first.Text, "errors 401") {
		t.Fatalf("first post lacks figures or dig command:\n%s", first.Text)
	}
}

// TestRestartInEachState restarts the engine (a new one on the same
// stored state) in the middle of each phase: the team sees the same
// story, nothing twice, nothing lost.
func TestRestartInEachState(t *testing.T) {
	for _, m := range []int{2, 3, 10, 20, 26, 28} {
		t.Run(at(m).Format("15:04"), func(t *testing.T) {
			wd := newWorld(t, only5xx(ptr(0.10)))
			outage(wd)
			if got := play(t, wd, m); !slices.Equal(got, story) {
				t.Fatalf("restart at %s: got\n%s\nwant\n%s", at(m).Format("15:04"), show(got), show(story))
			}
		})
	}
}

// play evaluates every minute 10:01–10:30, restarting before minute
// restartAt, checking the phases, and returns what was said.
func play(t *testing.T, wd *world, restartAt int) []event {
	t.Helper()
	var seen []event
	var posts, pages int
	for m := 1; m <= 30; m++ {
		if m == restartAt {
			wd.restart()
		}
		wd.eval(at(m))
		wd.drain(at(m), &seen, &posts, &pages)
		if want, ok := phases[m]; ok {
			if got := wd.eng.State("5xx-ratio").Phase; got != want {
				t.Fatalf("at %s the rule is %s, want %s", at(m).Format("15:04"), got, want)
			}
		}
	}
	return seen
}

func show(es []event) string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString("  " + e.At + " " + e.What + "\n")
	}
	return b.String()
}

func TestSilenceMutesAndUnsilenceReleases(t *testing.T) {
	wd := newWorld(t, only5xx(ptr(0.10)))
	outage(wd)
	skill := rules.NewSilences(wd.store, wd.rules)
	op := opsbot.User{ID: "U0OPS", Name: "ana"}
	ask := func(text string, m int) *opsbot.Reply {
		r, err := skill.Handle(context.Background(), &opsbot.Request{User: op, Text: text, Now: at(m)})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := ask("silence 5xx-ratio 1h deploy of the API", 0); !strings.Contains(r.Title, "Silenced 5xx-ratio for 1h") {
		t.Fatalf("silence: %+v", r)
	}
	var seen []event
	var posts, pages int
	for m := 1; m <= 12; m++ {
		wd.eval(at(m))
		wd.drain(at(m), &seen, &posts, &pages)
	}
	if len(seen) != 0 {
		t.Fatalf("silenced rule said:\n%s", show(seen))
	}
	l := ask("silences", 12)
	if l.Table == nil || len(l.Table.Rows) != 1 || l.Table.Rows[0][3] != "ana (U0OPS)" || l.Table.Rows[0][4] != "deploy of the API" {
		t.Fatalf("silences: %+v", l)
	}
	if r := ask("unsilence 5xx-ratio", 12); !strings.Contains(r.Title, "Unsilenced 5xx-ratio") {
		t.Fatalf("unsilence: %+v", r)
	}
	for m := 13; m <= 14; m++ {
		wd.eval(at(m))
		wd.drain(at(m), &seen, &posts, &pages)
	}
	want := []event{
		{"10:14", "post tech-pages: PAGE · 5xx-ratio: share of requests answered 5xx 100.0%"},
		{"10:14", "pagerduty trigger opsbot-5xx-ratio"},
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("after unsilence: got\n%s\nwant\n%s", show(seen), show(want))
	}
	if r := ask("silence nosuchrule 1h", 14); !r.Ephemeral || !strings.Contains(r.Title, "5xx-ratio") {
		t.Fatalf("unknown rule: %+v", r)
	}
	if r := ask("silence 5xx-ratio forever", 14); !r.Ephemeral || !strings.Contains(r.Title, "not a duration") {
		t.Fatalf("bad duration: %+v", r)
	}
}

func TestSilencesAreForOperators(t *testing.T) {
	for _, c := range rules.NewSilences(nil, nil).Commands() {
		if c.Role != opsbot.RoleOperator {
			t.Errorf("%s is open to %s", c.Name, c.Role)
		}
	}
}

// TestGroupingAndInhibition: two rules of one service firing together post
// once; while one pages, the other's warning is muted, and posts once the
// page resolves.
func TestGroupingAndInhibition(t *testing.T) {
	h := only5xx(ptr(2.0)) // 5xx-ratio can only warn
	h.Rules[3] = config.Rule{Name: "p95-latency", Warn: ptr(0.001), For: ptr(2 * time.Minute), Repeat: ptr(time.Hour)}
	wd := newWorld(t, h)
	outage(wd)
	var seen []event
	var posts, pages int
	for m := 1; m <= 4; m++ {
		wd.eval(at(m))
		wd.drain(at(m), &seen, &posts, &pages)
	}
	want := []event{{"10:04", "post tech-alerts: WARN · 2 rules firing for web: 5xx-ratio, p95-latency"}}
	if !slices.Equal(seen, want) {
		t.Fatalf("grouping: got\n%s\nwant\n%s", show(seen), show(want))
	}

	h = only5xx(ptr(0.10))
	h.Rules[3] = config.Rule{Name: "p95-latency", Warn: ptr(0.001), For: ptr(2 * time.Minute), Repeat: ptr(time.Hour)}
	wd = newWorld(t, h)
	outage(wd)
	seen, posts, pages = nil, 0, 0
	for m := 1; m <= 28; m++ {
		wd.eval(at(m))
		wd.drain(at(m), &seen, &posts, &pages)
	}
	for _, e := range seen {
		if strings.Contains(e.What, "p95") && e.At < "10:27" {
			t.Fatalf("warning not inhibited by the page: %s %s", e.At, e.What)
		}
	}
	last := seen[len(seen)-1]
	if last.At != "10:28" || last.What != "post tech-alerts: WARN · p95-latency: p95 time taken 0.050s" {
		t.Fatalf("after the page resolved, got\n%s", show(seen))
	}
}

// TestQueryFailureAndNoDataWarnNeverPage: a rule whose query fails or
// finds nothing raises its own warning, never a page.
func TestQueryFailureAndNoDataWarnNeverPage(t *testing.T) {
	h := only5xx(ptr(0.10))
	h.Rules[0].Disabled = ptr(true)
	h.Rules = append(h.Rules, config.Rule{Name: "ratio", Query: "health_5xx_ratio", Warn: ptr(0.5), Page: ptr(0.9)},
		config.Rule{Name: "broken", Query: "health_no_such_query", Page: ptr(1.0)})
	wd := newWorld(t, h)
	var seen []event
	var posts, pages int
	wd.eval(at(1)) // no traffic at all: 5xx-ratio has no data
	wd.drain(at(1), &seen, &posts, &pages)
	want := []event{{"10:01", "post tech-alerts: WARN · 2 health rule(s) cannot be evaluated: ratio, broken"}}
	if !slices.Equal(seen, want) {
		t.Fatalf("got\n%s\nwant\n%s", show(seen), show(want))
	}
	text := wd.posts.msgs[0].Reply.Text
	if !strings.Contains(text, "no data in the last 5m") || !strings.Contains(text, "health_no_such_query") {
		t.Fatalf("problem text:\n%s", text)
	}
	wd.traffic(at(-10), at(5), 100, func(time.Time) int { return 0 })
	wd.eval(at(2))
	wd.drain(at(2), &seen, &posts, &pages)
	if last := seen[len(seen)-1]; last.What != "post tech-alerts thread 1764000000.000001: RESOLVED · ratio evaluates again: 0" {
		t.Fatalf("got\n%s", show(seen))
	}
	if len(wd.pd.events) != 0 {
		t.Fatalf("a rule without data paged: %v", wd.pd.events)
	}
}

func TestPageFallsBackToHere(t *testing.T) {
	wd := newWorld(t, only5xx(ptr(0.10)))
	wd.pd.status = 400
	outage(wd)
	var seen []event
	var posts, pages int
	for m := 1; m <= 4; m++ {
		wd.eval(at(m))
		wd.drain(at(m), &seen, &posts, &pages)
	}
	if len(seen) != 3 || !strings.HasPrefix(seen[1].What, "post tech-pages thread 1764000000.000001 @here: PAGE for web: the pager failed") {
		t.Fatalf("got\n%s", show(seen))
	}
	if !strings.Contains(wd.posts.msgs[1].Reply.Text, "status 400") {
		t.Fatalf("fallback does not say why: %s", wd.posts.msgs[1].Reply.Text)
	}
}
