package actions_test

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWrongEnrolCodesLockAndAreAudited: someone in alice's chat session
// guessing codes to swap her authenticator is stopped after five wrong
// codes, even with the right one next; every try is in the audit log as
// refused and in the audit room; her authenticator stays hers.
func TestWrongEnrolCodesLockAndAreAudited(t *testing.T) {
	wd := newWorld(t, nil, nil)
	secret := wd.enroll(alice)
	wd.slack.msgs = nil
	for i := 1; i <= 5; i++ {
		r := wd.say(alice, "2fa enroll "+wrongFor(code(t, secret, wd.clk.Now())), true)
		if !r.Ephemeral || len(r.Files) != 0 || strings.Contains(r.Text, "otpauth") || !strings.Contains(r.Text, "Wrong code") ||
			strings.Contains(r.Text, "locked until") != (i == 5) {
			t.Fatalf("wrong code %d: %+v", i, r)
		}
	}
	r := wd.say(alice, "2fa enroll "+code(t, secret, wd.clk.Now().Add(30*time.Second)), true)
	if !r.Ephemeral || len(r.Files) != 0 || strings.Contains(r.Text, "otpauth") || !strings.Contains(r.Text, "locked until 05:15:13Z") {
		t.Fatalf("right code while locked: %+v", r)
	}
	got := wd.audit()
	refused := slices.DeleteFunc(slices.Clone(got), func(l string) bool {
		return !strings.HasPrefix(l, "UALICE false 2fa enroll ****** | 2fa enroll | refused: ")
	})
	if len(refused) != 6 || !strings.Contains(refused[0], "refused: wrong code") || !strings.Contains(refused[5], "refused: your second factor is locked until 05:15:13Z") {
		t.Errorf("audit log:\n%s", strings.Join(got, "\n"))
	}
	room := wd.slack.titles()
	if len(room) != 6 || slices.ContainsFunc(room, func(s string) bool { return s != "tech-audits 2fa enroll: refused" }) {
		t.Errorf("audit room %q", room)
	}
	// after the lockout, her own authenticator still confirms a ban
	wd.clk.Add(15 * time.Minute)
	id := confirmID(t, wd.say(alice, "ban 203.0.113.9", false))
	if r := wd.say(alice, "confirm "+id+" "+code(t, secret, wd.clk.Now()), true); r.Ephemeral {
		t.Fatalf("confirm with the old authenticator after the lockout: %+v", r)
	}
	// and replaces itself, which the audit room hears of
	wd.clk.Add(30 * time.Second)
	if r := wd.say(alice, "2fa enroll "+code(t, secret, wd.clk.Now()), true); !r.Ephemeral || len(r.Files) != 0 || !strings.Contains(r.Text, "otpauth://") {
		t.Fatalf("re-enrolment: %+v", r)
	}
	if room := wd.slack.titles(); room[len(room)-1] != "tech-audits 2fa enroll (replaced the authenticator): done" {
		t.Errorf("audit room %q", room)
	}
}

// TestWrongConfirmCodesLockAcrossConfirmations: cancelling and asking
// again gives no fresh guesses; while locked a right code confirms
// nothing, and the lock is posted to the audit room.
func TestWrongConfirmCodesLockAcrossConfirmations(t *testing.T) {
	wd := newWorld(t, nil, nil)
	secret := wd.enroll(alice)
	wd.slack.msgs = nil
	guess := func(id string) string {
		return wd.say(alice, "confirm "+id+" "+wrongFor(code(t, secret, wd.clk.Now())), true).Text
	}
	first := confirmID(t, wd.say(alice, "ban 203.0.113.9", false))
	guess(first)
	guess(first)
	if txt := guess(first); !strings.Contains(txt, "cancelled") {
		t.Fatalf("third wrong code: %s", txt)
	}
	second := confirmID(t, wd.say(alice, "ban 203.0.113.9", false))
	guess(second)
	if txt := guess(second); !strings.Contains(txt, "locked until") {
		t.Fatalf("fifth wrong code: %s", txt)
	}
	r := wd.say(alice, "confirm "+second+" "+code(t, secret, wd.clk.Now().Add(30*time.Second)), true)
	if !r.Ephemeral || !strings.Contains(r.Text, "Your second factor is locked until") {
		t.Fatalf("right code while locked: %+v", r)
	}
	if len(wd.acl.patches) != 0 {
		t.Fatal("banned while locked")
	}
	room := wd.slack.titles()
	if len(room) != 6 || room[5] != "tech-audits confirm "+second+": refused" {
		t.Errorf("audit room %q", room)
	}
	if txt := wd.slack.msgs[5].Reply.Text; !strings.Contains(txt, "refused: your second factor is locked until") {
		t.Errorf("the lock in the audit room: %s", txt)
	}
}

// wrongFor is a six-digit code that is not good.
func wrongFor(good string) string {
	if good == "000000" {
		return "111111"
	}
	return "000000"
}
