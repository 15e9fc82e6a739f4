package auditlog_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/auditlog"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

type poster struct {
	mu   sync.Mutex
	msgs []opsbot.Message
	err  error
}

func (p *poster) Post(_ context.Context, m opsbot.Message) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, m)
	return "1.0", p.err
}

var t0 = time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)

func TestRecordAnnounceAndAudit(t *testing.T) {
	w := embedded(t)
	warehousetest.Truncate(t, w, "audit_log")
	p := &poster{}
	l := auditlog.New(w, p, "#tech-audits")
	ctx := context.Background()
	entries := []opsbot.AuditEntry{
		{Time: t0.Add(-3 * time.Hour), User: opsbot.User{ID: "U1", Name: "alice"}, Channel: "C1", Transport: "slack", Text: "top 4xx by ip", Allowed: true, Result: "ok", Took: 120 * time.Millisecond},
		{Time: t0.Add(-30 * time.Minute), User: opsbot.User{ID: "U2", Name: "rob"}, Channel: "C1", Transport: "slack", Text: "ban 203.0.113.9", Action: "ban 203.0.113.9/32", Allowed: false, Result: "refused: operators only"},
		{Time: t0.Add(-10 * time.Minute), User: opsbot.User{ID: "U1", Name: "alice"}, Channel: "D1", Transport: "slack", Text: "confirm ABC123 654321", Action: "ban 203.0.113.9/32 for 24h", Allowed: true, Result: "ok", Approval: "totp", Took: 2 * time.Second},
	}
	for _, e := range entries[:2] {
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Announce(ctx, entries[2]); err != nil {
		t.Fatal(err)
	}
	// the refused ban and the confirmed one are posted; the read is not
	if len(p.msgs) != 2 || p.msgs[0].Reply.Title != "ban 203.0.113.9/32: refused" || !strings.Contains(p.msgs[0].Reply.Text, "refused: operators only") ||
		p.msgs[1].Channel != "#tech-audits" || p.msgs[1].Reply.Title != "ban 203.0.113.9/32 for 24h: done" ||
		!strings.Contains(p.msgs[1].Reply.Text, "alice (U1)") || !strings.Contains(p.msgs[1].Reply.Text, "confirmed: totp") {
		t.Fatalf("posted %+v", p.msgs)
	}

	res, err := w.Query(ctx, "SELECT user_id, text, allowed, result, took_ms, approval FROM audit_log ORDER BY ts", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 3 {
		t.Fatalf("rows %v", res.Rows)
	}
	if got := res.Rows[2][1]; got != "confirm ABC123 ******" {
		t.Errorf("stored text %q: the code must be masked", got)
	}
	if res.Rows[1][2] != false || res.Rows[1][3] != "refused: operators only" {
		t.Errorf("refusal stored as %v", res.Rows[1])
	}
	if res.Rows[2][4] != uint64(2000) && res.Rows[2][4] != int64(2000) {
		t.Errorf("took_ms %v (%T)", res.Rows[2][4], res.Rows[2][4])
	}

	s := l.Skill(func() time.Time { return t0 })
	r, err := s.Handle(ctx, &opsbot.Request{Text: "audit 1h"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Table == nil || len(r.Table.Rows) != 2 || r.Table.Rows[0][1] != "U1" || r.Table.Rows[1][1] != "U2" {
		t.Fatalf("audit 1h: %+v", r.Table)
	}
	r, _ = s.Handle(ctx, &opsbot.Request{Text: "audit"})
	if len(r.Table.Rows) != 3 {
		t.Errorf("audit (24h): %d rows", len(r.Table.Rows))
	}
	r, _ = s.Handle(ctx, &opsbot.Request{Text: "audit forever"})
	if !r.Ephemeral || !strings.Contains(r.Text, `window "forever"`) {
		t.Errorf("bad window: %+v", r)
	}
}

func TestAnnounceReportsPostFailureAfterRecording(t *testing.T) {
	w := embedded(t)
	warehousetest.Truncate(t, w, "audit_log")
	l := auditlog.New(w, &poster{err: errors.New("slack down")}, "#tech-audits")
	err := l.Announce(context.Background(), opsbot.AuditEntry{Time: t0, User: opsbot.User{ID: "U1"}, Text: "unban 203.0.113.9", Allowed: true, Result: "ok"})
	if err == nil || !strings.Contains(err.Error(), "slack down") {
		t.Fatalf("err %v", err)
	}
	res, _ := w.Query(context.Background(), "SELECT count() FROM audit_log", nil)
	if n := res.Rows[0][0]; n != uint64(1) && n != int64(1) {
		t.Errorf("the entry must be recorded even when the post fails: %v", n)
	}
}

// TestRefusedEnrolmentIsPosted: a refused `2fa enroll CODE` (a wrong code,
// a lockout) reaches the audit room like a refused write, without the code;
// a plain read does not.
func TestRefusedEnrolmentIsPosted(t *testing.T) {
	w := embedded(t)
	warehousetest.Truncate(t, w, "audit_log")
	p := &poster{}
	l := auditlog.New(w, p, "#tech-audits")
	ctx := context.Background()
	alice := opsbot.User{ID: "U1", Name: "alice"}
	for _, e := range []opsbot.AuditEntry{
		{Time: t0, User: alice, Channel: "D1", Transport: "slack", Text: "2fa enroll 654321", Action: "2fa enroll", Result: "refused: wrong code"},
		{Time: t0, User: alice, Channel: "D1", Transport: "slack", Text: "2fa enroll 123 456", Action: "2fa enroll", Result: "refused: your second factor is locked until 05:15:00Z"},
		{Time: t0, User: alice, Channel: "D1", Transport: "slack", Text: "2fa", Allowed: true, Result: "answered: usage"},
	} {
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.msgs) != 2 || p.msgs[0].Reply.Title != "2fa enroll: refused" || !strings.Contains(p.msgs[1].Reply.Text, "locked until 05:15:00Z") {
		t.Fatalf("posted %+v", p.msgs)
	}
	for _, m := range p.msgs {
		if r := m.Reply; strings.Contains(r.Title+r.Text, "654321") || strings.Contains(r.Title+r.Text, "456") {
			t.Errorf("a code was posted: %+v", r)
		}
	}
	res, err := w.Query(ctx, "SELECT text FROM audit_log WHERE allowed = false ORDER BY text", nil)
	if err != nil || len(res.Rows) != 2 || res.Rows[0][0] != "2fa enroll ******" || res.Rows[1][0] != "2fa enroll ******" {
		t.Errorf("stored %v %v", res, err)
	}
}

func TestParseWindow(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "last 2h": 2 * time.Hour, "30m": 30 * time.Minute, "2w": 14 * 24 * time.Hour} {
		if got, err := auditlog.ParseWindow(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := auditlog.ParseWindow("0h"); !errors.Is(err, opsbot.ErrInvalid) {
		t.Errorf("0h: %v", err)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"confirm ABC234 123456":  "confirm ABC234 ******",
		"confirm 123456":         "confirm ******",
		"123456":                 "******",
		"123 456":                "******",
		"2fa enroll 654321":      "2fa enroll ******",
		"2fa enroll 654 321":     "2fa enroll ******",
		"confirm ABC234 123 456": "confirm ABC234 ******",
		"confirm ABC234":         "confirm ABC234",
		"ban 203.0.113.9":        "ban 203.0.113.9",
	} {
		if got := auditlog.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
