package actions_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/warehouse"
)

// flaky is the real warehouse, except that inserts into the bans table
// fail while fails is not 0 (each failure counts it down; -1: fail them
// all).
type flaky struct {
	warehouse.Warehouse
	mu    sync.Mutex
	fails int
	tries int // inserts into bans attempted
}

func (f *flaky) Exec(ctx context.Context, sql string, params opsbot.Params) error {
	if strings.HasPrefix(strings.TrimSpace(sql), "INSERT INTO bans") {
		f.mu.Lock()
		f.tries++
		fail := f.fails != 0
		if f.fails > 0 {
			f.fails--
		}
		f.mu.Unlock()
		if fail {
			return errors.New("code: 242, DB::Exception: table bans is in readonly mode")
		}
	}
	return f.Warehouse.Exec(ctx, sql, params)
}

func (f *flaky) set(fails int) { f.mu.Lock(); defer f.mu.Unlock(); f.fails, f.tries = fails, 0 }
func (f *flaky) attempts() int { f.mu.Lock(); defer f.mu.Unlock(); return f.tries }

// syncBuf is a log destination safe for the handler's goroutine.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// recordWorld confirms bans with a button, records them through a flaky
// warehouse that fails fails inserts, and retries a record three times
// without waiting.
func recordWorld(t *testing.T, fails int) (*world, *flaky, *syncBuf) {
	f := &flaky{fails: fails}
	log := &syncBuf{}
	wd := newWorld(t, func(c *config.Config) { c.Access.Confirm = map[string]string{"ban": "button", "unban": "button"} }, func(d *actions.Deps) {
		f.Warehouse = d.Warehouse
		d.Warehouse = f
		d.RecordBackoff = func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 2) }
		d.Log = slog.New(slog.NewTextHandler(log, nil))
	})
	return wd, f, log
}

// banNow asks for a ban and presses Confirm.
func (wd *world) banNow(u opsbot.User, text string) *opsbot.Reply {
	r := wd.say(u, text, false)
	if len(r.Buttons) != 2 {
		wd.t.Fatalf("%s: no prompt: %+v", text, r)
	}
	return wd.say(u, r.Buttons[0].Command, false)
}

// TestBanRecordIsRetried: a record write that fails twice is tried again,
// and the ban stands with its record, so it will expire.
func TestBanRecordIsRetried(t *testing.T) {
	wd, f, _ := recordWorld(t, 2)
	r := wd.banNow(alice, "ban 203.0.113.9 for 2h")
	if r.Ephemeral || !strings.HasPrefix(r.Title, "Done: ban 203.0.113.9/32 for 2h") || !strings.Contains(r.Text, "fastly: added") {
		t.Fatalf("ban: %+v", r)
	}
	if n := f.attempts(); n != 3 {
		t.Errorf("%d record attempts, want 3", n)
	}
	if got := wd.acl.ips(); !slices.Equal(got, []string{"203.0.113.9"}) {
		t.Errorf("edge holds %v", got)
	}
	if rs := rows(t, wd.say(bob, "bans", false)); len(rs) != 1 || rs[0][0] != "203.0.113.9/32" || rs[0][2] != "active" {
		t.Errorf("bans %v", rs)
	}
}

// TestBanUnrecordedIsLifted: when the record cannot be written after the
// retries, the ban is lifted again at the edge, and the reply and the
// audit say so: no ban is left without an expiry.
func TestBanUnrecordedIsLifted(t *testing.T) {
	wd, f, _ := recordWorld(t, -1)
	r := wd.banNow(alice, "ban 203.0.113.9 for 2h")
	if !r.Ephemeral || r.Title != "ban 203.0.113.9/32 for 2h at fastly: failed at fastly" ||
		!strings.Contains(r.Text, "fastly: FAILED: banned, but the ban could not be recorded (record ban: code: 242") ||
		!strings.Contains(r.Text, "so it was lifted again: nothing is blocked there; try again") {
		t.Fatalf("ban: %+v", r)
	}
	if n := f.attempts(); n != 3 {
		t.Errorf("%d record attempts, want 3", n)
	}
	if got := wd.acl.ips(); len(got) != 0 {
		t.Errorf("edge still holds %v", got)
	}
	if len(wd.acl.patches) != 2 || !strings.Contains(wd.acl.patches[1], `"op":"delete"`) {
		t.Errorf("edge changes %q, want a create and its delete", wd.acl.patches)
	}
	if got := wd.audit(); !strings.Contains(got[len(got)-1], "| answered: ban 203.0.113.9/32 for 2h at fastly: failed at fastly |") {
		t.Errorf("audit log:\n%s", strings.Join(got, "\n"))
	}
}

// TestBanNeitherRecordedNorLiftedIsLoud: when the undo fails too, the
// reply names the entry left at the edge and how to remove it, the alerts
// room is told, and an error is logged.
func TestBanNeitherRecordedNorLiftedIsLoud(t *testing.T) {
	wd, _, log := recordWorld(t, -1)
	wd.acl.refuse = true
	r := wd.banNow(alice, "ban 203.0.113.9 for 2h")
	want := "fastly: FAILED: 203.0.113.9/32 is blocked at fastly (fastly acl) with NO expiry: opsbot could not record the ban (record ban: code: 242"
	if !r.Ephemeral || !strings.Contains(r.Text, want) || !strings.Contains(r.Text, "nor lift it again (fastly fastly: credentials refused") ||
		!strings.Contains(r.Text, "Remove 203.0.113.9/32 from fastly by hand, or `unban 203.0.113.9/32` once the edge accepts it") {
		t.Fatalf("ban: %+v", r)
	}
	if got := wd.acl.ips(); !slices.Equal(got, []string{"203.0.113.9"}) {
		t.Errorf("edge holds %v", got)
	}
	if !slices.Contains(wd.slack.titles(), "tech-alerts Ban without expiry: 203.0.113.9/32 at fastly") {
		t.Errorf("alerts room: %q", wd.slack.titles())
	}
	if l := log.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "prefix=203.0.113.9/32") || !strings.Contains(l, "edge=fastly") {
		t.Errorf("log: %s", l)
	}
}

// TestBanAlreadyBlockedKeepsItsEntry: a ban of a prefix the edge already
// held is not undone when its record fails: the entry, and the earlier
// ban's record that expires it, stay.
func TestBanAlreadyBlockedKeepsItsEntry(t *testing.T) {
	wd, f, _ := recordWorld(t, 0)
	wd.banNow(alice, "ban 203.0.113.9 for 2h")
	f.set(-1)
	r := wd.banNow(alice, "ban 203.0.113.9 for 4h")
	if !r.Ephemeral || !strings.Contains(r.Text, "fastly: FAILED: already blocked there, but this ban's expiry was not recorded (record ban: code: 242") ||
		!strings.Contains(r.Text, "it keeps the expiry it had, if any: `bans` shows it") {
		t.Fatalf("ban: %+v", r)
	}
	if got := wd.acl.ips(); !slices.Equal(got, []string{"203.0.113.9"}) {
		t.Errorf("edge holds %v", got)
	}
	if rs := rows(t, wd.say(bob, "bans", false)); len(rs) != 1 || rs[0][2] != "active" || rs[0][5] != "2026-11-24 07:00Z" {
		t.Errorf("bans %v", rs)
	}
}
