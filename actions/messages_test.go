package actions_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/pager"
)

// TestPageWithoutPagerShowsTheConfig: the README's `page ops …` with no
// pager configured says so and shows the pager: section that adds one, for
// the service asked, in the config's real keys — never an empty list of
// known services.
func TestPageWithoutPagerShowsTheConfig(t *testing.T) {
	router := pager.New(nil, pager.Options{}) // as serve wires an empty pager: section
	wd := newWorld(t, nil, func(d *actions.Deps) { d.Pager = router })
	r := wd.say(alice, "page ops Everything is on fire!", false)
	for _, want := range []string{"No pager is configured", "pager:\n  services:\n    ops: {provider: pagerduty, key_env: OPSBOT_PD_OPS}", "OPSBOT_PD_OPS"} {
		if !r.Ephemeral || !strings.Contains(r.Text, want) {
			t.Fatalf("want %q in %+v", want, r)
		}
	}
	if strings.Contains(r.Text, "known services") {
		t.Errorf("an empty list of services: %q", r.Text)
	}
	// The snippet is a config the config package accepts.
	snippet := strings.Split(r.Text, "```")[1]
	c := config.Default()
	if err := config.Decode([]byte(snippet), c); err != nil {
		t.Fatalf("the snippet does not load: %v\n%s", err, snippet)
	}
	if got := c.Pager.Services["ops"]; got.Provider != "pagerduty" || got.KeyEnv != "OPSBOT_PD_OPS" {
		t.Errorf("snippet loads as %+v", got)
	}
}

// TestPageFromTerminalCarriesNoEmptyChannel: a page sent from the terminal
// chat names its transport, and carries no "channel": "" for the on-call.
func TestPageFromTerminalCarriesNoEmptyChannel(t *testing.T) {
	pd := &pagerDuty{}
	srv := httptest.NewServer(pd)
	defer srv.Close()
	router := pager.New(map[string]pager.Service{"ops": {Provider: "pagerduty", KeyEnv: "PD_OPS", Key: "key-PD_OPS", URL: srv.URL}},
		pager.Options{Backoff: func() backoff.BackOff { return &backoff.StopBackOff{} }})
	wd := newWorld(t, func(c *config.Config) { c.Access.Confirm = map[string]string{"page": "button"} },
		func(d *actions.Deps) { d.Pager = router })
	say := func(text string) *opsbot.Reply {
		wd.clk.Add(1e9)
		return wd.bot.Handle(context.Background(), &opsbot.Request{User: alice, Text: text, Transport: "terminal", Now: wd.clk.Now()})
	}
	r := say("page ops Everything is on fire!")
	if r := say("confirm " + confirmID(t, r)); !strings.Contains(r.Text, "the on-call has been paged") {
		t.Fatalf("confirm: %+v", r)
	}
	if len(pd.events) != 1 {
		t.Fatalf("events %v", pd.events)
	}
	details := pd.events[0]["payload"].(map[string]any)["custom_details"].(map[string]any)
	if _, ok := details["channel"]; ok || details["transport"] != "terminal" {
		t.Errorf("details %v: want no channel and transport terminal", details)
	}
}

// TestBansNamesItsEdges: `bans` is titled with the edges it reads, and
// with none configured says so and how to add one (it printed "Bans at").
func TestBansNamesItsEdges(t *testing.T) {
	wd := newWorld(t, nil, nil)
	if r := wd.say(alice, "bans", false); r.Title != "Bans at fastly" {
		t.Errorf("title %q", r.Title)
	}
	wd = newWorld(t, func(c *config.Config) { c.Edges.Fastly = nil }, func(d *actions.Deps) { d.Edges = nil })
	r := wd.say(alice, "bans", false)
	if r.Title != "Bans: no edge configured" || !strings.Contains(r.Text, "No bans.\nNo edge is configured") || !strings.Contains(r.Text, "`edges:`") {
		t.Errorf("no edge: %+v", r)
	}
}

// TestAuditResultsCarryNoErrorKinds: what the audit log keeps of a refusal
// is the message people read, after "refused: ", never an error kind's
// name (forbidden:, invalid input:, not found:).
func TestAuditResultsCarryNoErrorKinds(t *testing.T) {
	wd := newWorld(t, nil, nil)
	wd.enroll(alice) // ban asks for a code only once enrolled
	for _, c := range []struct {
		u    opsbot.User
		text string
		dm   bool
	}{
		{alice, "ban 10.0.0.1", false}, {alice, "ban 1.2.3.4/3", false}, {alice, "ban not-an-ip", false},
		{alice, "ban 203.0.113.9 for 99y", false}, {alice, "unban 203.0.113.77", false},
		{alice, "confirm 123456", true}, {alice, "approve NOPE", false}, {alice, "cancel NOPE", false},
		{alice, "page nope it broke", false}, {ana, "sql DROP TABLE requests", false},
		{ana, "sql SELECT * FROM audit_log", false}, {rob, "ban 1.2.3.4", false},
	} {
		wd.say(c.u, c.text, c.dm)
	}
	r := wd.say(alice, "ban 203.0.113.9 for 1h", false)
	wd.say(alice, "confirm "+confirmID(t, r)+" 000000", true) // a wrong code
	refused := 0
	for _, line := range wd.audit() {
		if strings.Contains(line, "| refused: ") {
			refused++
		}
		for _, kind := range []string{"forbidden:", "invalid input:", "not found:", "refused: refused"} {
			if strings.Contains(strings.ToLower(line), kind) {
				t.Errorf("audit result keeps %q: %s", kind, line)
			}
		}
	}
	if refused < 12 {
		t.Errorf("%d refusals audited, want 12 or more:\n%s", refused, strings.Join(wd.audit(), "\n"))
	}
}
