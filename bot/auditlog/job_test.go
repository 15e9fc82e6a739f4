package auditlog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/auditlog"
)

func TestAuditVerifyCommand(t *testing.T) {
	l, w := freshLog(t, 3, secret)
	s := l.Skill(nil)
	r, err := s.Handle(context.Background(), &opsbot.Request{Text: "audit verify"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != "Audit log chain intact" || r.Text != "3 rows verified, chain intact from seq 1 to 3" || !strings.Contains(r.Context, "keyed (HMAC-SHA256) · head seq 3 ") {
		t.Fatalf("intact: %+v", r)
	}
	sqlExec(t, w, "ALTER TABLE audit_log DELETE WHERE seq = 2 SETTINGS mutations_sync = 2", nil)
	r, err = s.Handle(context.Background(), &opsbot.Request{Text: "audit verify"})
	if err != nil {
		t.Fatal(err)
	}
	want := "broken at seq 2 (deleted): seq 2 is missing (the next row is seq 3); rows after it can't be trusted\n1 row verified before it, seq 1 to 1"
	if r.Title != "Audit log chain BROKEN" || r.Text != want {
		t.Fatalf("broken: %+v", r)
	}
}

// The daily job: an audit-room line with the head when intact, a warning
// when broken.
func TestJobWarnsWhenBroken(t *testing.T) {
	l, w := freshLog(t, 4, nil)
	rep := verify(t, l)
	j := l.Job()
	ns, err := j.Run(context.Background(), t0)
	if err != nil || len(ns) != 1 || ns[0].Level != opsbot.LevelAudit || j.Name() != auditlog.JobName ||
		!strings.Contains(ns[0].Reply.Context, "head seq 4 "+rep.Head) {
		t.Fatalf("intact: %+v %v", ns, err)
	}
	sqlExec(t, w, "ALTER TABLE audit_log UPDATE text = 'top' WHERE seq = 3 SETTINGS mutations_sync = 2", nil)
	ns, err = j.Preview(context.Background(), t0)
	if err != nil || len(ns) != 1 || ns[0].Level != opsbot.LevelWarn || ns[0].Reply.Title != "Audit log chain BROKEN" ||
		!strings.HasPrefix(ns[0].Reply.Text, "broken at seq 3 (altered)") {
		t.Fatalf("broken: %+v %v", ns, err)
	}
}
