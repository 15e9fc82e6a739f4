package actions_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
)

// TestBanConfirmBansExpire is the whole story: a reader is refused, an
// operator enrols, bans after a TOTP code, sees the ban, and it expires on
// time; every step is in the audit log and the writes in the audit room.
func TestBanConfirmBansExpire(t *testing.T) {
	wd := newWorld(t, nil, nil)
	ctx := context.Background()

	if r := wd.say(rob, "ban 203.0.113.9", false); !r.Ephemeral || !strings.Contains(r.Text, "needs the operator role") {
		t.Fatalf("reader: %+v", r)
	}
	if r := wd.say(alice, "2fa enroll", false); !r.Ephemeral || len(r.Files) != 0 || !strings.Contains(r.Text, "direct message") {
		t.Fatalf("enrol in a channel: %+v", r)
	}
	secret := wd.enroll(alice)

	r := wd.say(alice, "ban 203.0.113.9 for 2h scraping /donate", false)
	if !strings.HasPrefix(r.Title, "Confirm: ban 203.0.113.9/32 for 2h: scraping /donate at fastly") || !strings.Contains(r.Text, "4210 requests") {
		t.Fatalf("prompt: %+v", r)
	}
	if len(wd.hits) != 1 || wd.hits[0] != "203.0.113.9" {
		t.Errorf("hits asked for %v", wd.hits)
	}
	id := confirmID(t, r)
	if len(wd.acl.ips()) != 0 {
		t.Fatal("banned before confirmation")
	}

	wd.clk.Add(40 * time.Second)
	c := code(t, secret, wd.clk.Now())
	if r := wd.say(alice, "confirm "+id+" "+c, false); !r.Ephemeral || !strings.Contains(r.Text, "direct message") {
		t.Fatalf("code in a channel: %+v", r)
	}
	wrong := "000000"
	if wrong == c {
		wrong = "000001"
	}
	if r := wd.say(alice, "confirm "+id+" "+wrong, true); !r.Ephemeral || !strings.Contains(r.Text, "Wrong code") {
		t.Fatalf("wrong code: %+v", r)
	}
	r = wd.say(alice, "confirm "+id+" "+c, true)
	if r.Ephemeral || !strings.HasPrefix(r.Title, "Done: ban 203.0.113.9/32 for 2h") || !strings.Contains(r.Text, "fastly: added") {
		t.Fatalf("confirm: %+v", r)
	}
	if got := wd.acl.ips(); !slices.Equal(got, []string{"203.0.113.9"}) {
		t.Fatalf("edge holds %v", got)
	}
	if !strings.Contains(wd.acl.patches[0], `"comment":"opsbot ban by alice (UALICE) until 2026-11-24 07:00Z: scraping /donate"`) {
		t.Errorf("patch %s", wd.acl.patches[0])
	}
	if r := wd.say(alice, "confirm "+id+" "+c, true); !r.Ephemeral || !strings.Contains(r.Text, "already used") {
		t.Fatalf("replay: %+v", r)
	}

	r = wd.say(bob, "bans", false)
	if r.Table == nil || len(r.Table.Rows) != 1 {
		t.Fatalf("bans: %+v", r)
	}
	row := r.Table.Rows[0]
	if row[0] != "203.0.113.9/32" || row[1] != "fastly" || row[2] != "active" || row[3] != "alice (UALICE)" || row[5] != "2026-11-24 07:00Z" || row[6] != "scraping /donate" {
		t.Errorf("bans row %v", row)
	}

	job := wd.wired.Expiry
	wd.clk.Add(time.Hour)
	if n, err := job.Run(ctx, wd.clk.Now()); err != nil || len(n) != 0 || len(wd.acl.ips()) != 1 {
		t.Fatalf("an hour early: %v %v %v", n, err, wd.acl.ips())
	}
	wd.clk.Add(time.Hour)
	notices, err := job.Run(ctx, wd.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(wd.acl.ips()) != 0 {
		t.Fatalf("not lifted on time: %v", wd.acl.ips())
	}
	if len(notices) != 1 || notices[0].Level != opsbot.LevelAudit || !strings.Contains(notices[0].Reply.Text, "203.0.113.9/32 at fastly") {
		t.Fatalf("notices %+v", notices)
	}
	if n, _ := job.Run(ctx, wd.clk.Now()); len(n) != 0 {
		t.Errorf("lifted twice: %+v", n)
	}
	r = wd.say(bob, "bans", false)
	if r.Table == nil || len(r.Table.Rows) != 1 || !strings.HasPrefix(r.Table.Rows[0][2].(string), "expired") {
		t.Fatalf("bans after expiry: %+v", r.Table)
	}

	want := []string{
		"UROB false ban 203.0.113.9 | ban 203.0.113.9 | refused: needs operator, has reader | ",
		"UALICE false 2fa enroll | 2fa enroll | refused: send `2fa enroll` in a direct message to opsbot: the code it shows is a secret | ",
		"UALICE true 2fa enroll | 2fa enroll | answered: Your opsbot authenticator | ",
		"UALICE true ban 203.0.113.9 for 2h scraping /donate | ban 203.0.113.9/32 for 2h: scraping /donate at fastly, until 2026-11-24 07:00Z (awaiting totp confirmation " + id + ") | ok | ",
		"UALICE false confirm " + id + " ****** | confirm " + id + " | refused: send the code in a direct message to opsbot, not in a channel | ",
		"UALICE false confirm " + id + " ****** | confirm " + id + " | refused: wrong code: 4 more wrong in a row and your second factor locks for 15m | ",
		"UALICE true confirm " + id + " ****** | ban 203.0.113.9/32 for 2h: scraping /donate at fastly | ok | totp",
		"UALICE false confirm " + id + " ****** | confirm " + id + " | refused: " + id + ": confirmation already used | ",
		"UBOB true bans | bans | ok | ",
		"opsbot true unban 203.0.113.9/32 | unban 203.0.113.9/32 at fastly (expired) | ok | expiry of a ban by alice (UALICE)",
		"UBOB true bans | bans | ok | ",
	}
	if got := wd.audit(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantRoom := []string{
		"tech-audits ban 203.0.113.9: refused",
		"tech-audits 2fa enroll: refused",
		"tech-audits 2fa enroll: done",
		"tech-audits confirm " + id + ": refused",
		"tech-audits confirm " + id + ": refused",
		"tech-audits ban 203.0.113.9/32 for 2h: scraping /donate at fastly: done",
		"tech-audits confirm " + id + ": refused",
	}
	if got := wd.slack.titles(); strings.Join(got, "\n") != strings.Join(wantRoom, "\n") {
		t.Errorf("audit room\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantRoom, "\n"))
	}
	for _, m := range wd.slack.msgs {
		if strings.Contains(m.Reply.Title+m.Reply.Text, c) {
			t.Errorf("a code was posted: %+v", m.Reply)
		}
	}
}
