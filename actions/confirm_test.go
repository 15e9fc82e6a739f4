package actions_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/pager"
)

func TestExpiredConfirmationBansNothing(t *testing.T) {
	wd := newWorld(t, nil, nil)
	secret := wd.enroll(alice)
	id := confirmID(t, wd.say(alice, "ban 203.0.113.9", false))
	wd.clk.Add(5 * time.Minute)
	r := wd.say(alice, "confirm "+id+" "+code(t, secret, wd.clk.Now()), true)
	if !r.Ephemeral || !strings.Contains(r.Text, "confirmation expired") {
		t.Fatalf("after 5 minutes: %+v", r)
	}
	if len(wd.acl.patches) != 0 {
		t.Fatal("an expired confirmation banned")
	}
}

func TestBareCodeInDMConfirms(t *testing.T) {
	wd := newWorld(t, nil, nil)
	secret := wd.enroll(alice)
	confirmID(t, wd.say(alice, "ban 203.0.113.0/24 for 1h", false))
	wd.clk.Add(30 * time.Second)
	r := wd.say(alice, code(t, secret, wd.clk.Now()), true)
	if r.Ephemeral || !strings.HasPrefix(r.Title, "Done: ban 203.0.113.0/24") {
		t.Fatalf("bare code: %+v", r)
	}
	for _, l := range wd.audit() {
		if strings.Contains(l, code(t, secret, wd.clk.Now())) {
			t.Errorf("the code is in the audit log: %s", l)
		}
	}
	if got := wd.acl.ips(); !slices.Equal(got, []string{"203.0.113.0/24"}) {
		t.Errorf("edge holds %v", got)
	}
	if !strings.Contains(wd.acl.patches[0], `"subnet":24`) {
		t.Errorf("patch %s", wd.acl.patches[0])
	}
}

func TestUnbanByButtonOnlyForTheRequester(t *testing.T) {
	wd := newWorld(t, func(c *config.Config) { c.Access.Confirm = map[string]string{"ban": "button", "unban": "button"} }, nil)
	r := wd.say(alice, "ban 203.0.113.9 credential stuffing", false)
	if len(r.Buttons) != 2 || r.Buttons[0].Label != "Confirm" || r.Buttons[0].Style != "danger" {
		t.Fatalf("prompt %+v", r)
	}
	press := r.Buttons[0].Command
	if r := wd.say(bob, press, false); !r.Ephemeral || !strings.Contains(r.Text, "only UALICE (alice), who asked") {
		t.Fatalf("bob pressed: %+v", r)
	}
	if r := wd.say(alice, press, false); r.Ephemeral {
		t.Fatalf("alice pressed: %+v", r)
	}
	r = wd.say(alice, "unban 203.0.113.9", false)
	wd.say(alice, r.Buttons[0].Command, false)
	if len(wd.acl.ips()) != 0 {
		t.Fatalf("still banned: %v", wd.acl.ips())
	}
	got := wd.audit()
	if !slices.ContainsFunc(got, func(l string) bool {
		return strings.HasPrefix(l, "UALICE true confirm") && strings.Contains(l, "unban 203.0.113.9/32 at fastly | ok | button by UALICE (alice)")
	}) {
		t.Errorf("audit log:\n%s", strings.Join(got, "\n"))
	}
	r = wd.say(bob, "bans", false)
	if rows(t, r); len(r.Table.Rows) != 1 || !strings.HasPrefix(r.Table.Rows[0][2].(string), "unbanned by alice (UALICE)") {
		t.Errorf("bans %v", r.Table.Rows)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	wd := newWorld(t, nil, nil)
	r := wd.say(alice, "ban 203.0.113.9 for 1h --dry-run", false)
	if r.Title != "Dry run: ban 203.0.113.9/32 for 1h" || !strings.Contains(r.Text, "fastly (fastly acl): would add 203.0.113.9/32 (0 entries now)") ||
		!strings.Contains(r.Text, "4210 requests") || len(r.Buttons) != 0 {
		t.Fatalf("dry run %+v", r)
	}
	if len(wd.acl.patches) != 0 {
		t.Fatal("dry run changed the edge")
	}
}

func TestBansReconcilesWithTheEdge(t *testing.T) {
	wd := newWorld(t, func(c *config.Config) { c.Access.Confirm = map[string]string{"ban": "button"} }, nil)
	for _, ip := range []string{"203.0.113.9", "203.0.113.10"} {
		r := wd.say(alice, "ban "+ip, false)
		wd.say(alice, r.Buttons[0].Command, false)
	}
	wd.acl.mu.Lock() // someone removes one by hand and adds another at the edge
	wd.acl.entries = append(wd.acl.entries[1:], map[string]any{"id": "hand", "ip": "198.51.100.5", "comment": "added in the Fastly UI"})
	wd.acl.mu.Unlock()
	r := wd.say(bob, "bans", false)
	states := map[string]string{}
	for _, row := range rows(t, r) {
		states[row[0].(string)] = row[2].(string) + " " + row[6].(string)
	}
	want := map[string]string{
		"203.0.113.9/32":  "removed at the edge by hand ",
		"203.0.113.10/32": "active ",
		"198.51.100.5/32": "at the edge, not banned through opsbot added in the Fastly UI",
	}
	if !mapsEqual(states, want) {
		t.Errorf("bans %v\nwant %v", states, want)
	}
	// the hand-removed ban is not lifted again by the expiry job
	wd.clk.Add(25 * time.Hour)
	n, err := wd.wired.Expiry.Run(context.Background(), wd.clk.Now())
	if err != nil || len(n) != 1 || strings.Contains(n[0].Reply.Text, "203.0.113.9/32") {
		t.Errorf("expiry: %+v %v", n, err)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// pagerDuty is a loopback Events API v2.
type pagerDuty struct {
	mu     sync.Mutex
	events []map[string]any
}

func (p *pagerDuty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v2/enqueue" || r.Header.Get("Content-Type") != "application/json" {
		w.WriteHeader(400)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var e map[string]any
	json.Unmarshal(b, &e)
	p.events = append(p.events, e)
	w.WriteHeader(202)
	io.WriteString(w, `{"status":"success","message":"Event processed","dedup_key":"x"}`)
}

func TestPageNeedsASecondOperator(t *testing.T) {
	pd := &pagerDuty{}
	srv := httptest.NewServer(pd)
	defer srv.Close()
	router := pager.New(map[string]pager.Service{"ops": {Provider: "pagerduty", Key: "key-PD_OPS", URL: srv.URL}, "events": {Provider: "pagerduty", Key: "key-PD_EVENTS", URL: srv.URL}},
		pager.Options{Backoff: func() backoff.BackOff { return &backoff.StopBackOff{} }})
	wd := newWorld(t, func(c *config.Config) { c.Access.Confirm = map[string]string{"page": "approval"} },
		func(d *actions.Deps) { d.Pager = router })

	if r := wd.say(alice, "page nope it broke", false); !r.Ephemeral || !strings.Contains(r.Text, `Unknown service "nope"; known services: events, ops`) {
		t.Fatalf("unknown service: %+v", r)
	}
	r := wd.say(alice, "page ops Everything is on fire!", false)
	if !strings.Contains(r.Text, "second operator") || r.Buttons[0].Label != "Approve" {
		t.Fatalf("prompt %+v", r)
	}
	approve := r.Buttons[0].Command
	if r := wd.say(alice, approve, false); !r.Ephemeral || !strings.Contains(r.Text, "not its requester") {
		t.Fatalf("self-approval: %+v", r)
	}
	if r := wd.say(rob, approve, false); !r.Ephemeral || !strings.Contains(r.Text, "needs the operator role") {
		t.Fatalf("reader approval: %+v", r)
	}
	if len(pd.events) != 0 {
		t.Fatal("paged before approval")
	}
	if r := wd.say(bob, approve, false); r.Ephemeral || !strings.Contains(r.Text, "ops: the on-call has been paged") {
		t.Fatalf("bob approves: %+v", r)
	}
	if len(pd.events) != 1 {
		t.Fatalf("events %v", pd.events)
	}
	e := pd.events[0]
	payload := e["payload"].(map[string]any)
	if e["routing_key"] != "key-PD_OPS" || e["event_action"] != "trigger" || payload["summary"] != "Everything is on fire!" ||
		payload["source"] != "alice (UALICE) via chat" || payload["severity"] != "critical" ||
		payload["custom_details"].(map[string]any)["approval"] != "approved by UBOB (bob)" {
		t.Errorf("event %v", e)
	}
	got := wd.audit()
	if !slices.ContainsFunc(got, func(l string) bool {
		return strings.HasPrefix(l, "UBOB true approve") && strings.HasSuffix(l, "page ops: Everything is on fire! | ok | approved by UBOB (bob)")
	}) {
		t.Errorf("audit log:\n%s", strings.Join(got, "\n"))
	}
	id := strings.TrimPrefix(approve, "approve ")
	want := []string{"tech-audits page nope: refused", "tech-audits approve " + id + ": refused", "tech-audits approve " + id + ": refused", "tech-audits page ops: Everything is on fire!: done"}
	if titles := wd.slack.titles(); strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Errorf("audit room %q", titles)
	}
}

// TestLongPageIsCutBetweenCharacters: a page message over 1024 characters
// reaches the pager cut to 1024 characters, a multi-byte character at the
// cut kept whole (a byte cut at 1021 fell inside "é").
func TestLongPageIsCutBetweenCharacters(t *testing.T) {
	pd := &pagerDuty{}
	srv := httptest.NewServer(pd)
	defer srv.Close()
	router := pager.New(map[string]pager.Service{"ops": {Provider: "pagerduty", Key: "key-PD_OPS", URL: srv.URL}},
		pager.Options{Backoff: func() backoff.BackOff { return &backoff.StopBackOff{} }})
	wd := newWorld(t, func(c *config.Config) { c.Access.Confirm = map[string]string{"page": "approval"} },
		func(d *actions.Deps) { d.Pager = router })
	msg := strings.Repeat("a", 1020) + "é" + strings.Repeat("中", 10)
	r := wd.say(alice, "page ops "+msg, false)
	if len(r.Buttons) == 0 {
		t.Fatalf("prompt %+v", r)
	}
	if r := wd.say(bob, r.Buttons[0].Command, false); r.Ephemeral {
		t.Fatalf("bob approves: %+v", r)
	}
	if len(pd.events) != 1 {
		t.Fatalf("events %v", pd.events)
	}
	got := pd.events[0]["payload"].(map[string]any)["summary"].(string)
	if want := strings.Repeat("a", 1020) + "é中中…"; got != want {
		t.Errorf("summary of %d bytes, valid UTF-8 %v, ends %q; want it to end %q", len(got), utf8.ValidString(got), got[max(0, len(got)-12):], want[len(want)-12:])
	}
}
