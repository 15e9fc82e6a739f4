package actions_test

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/bot/terminal"
)

// lines collects the terminal's output, one answer at a time: an answer
// ends with the lone "\n" the terminal writes after it.
type lines struct {
	answers chan string
	cur     strings.Builder
}

func (l *lines) Write(p []byte) (int, error) {
	if string(p) == "\n" {
		l.answers <- l.cur.String()
		l.cur.Reset()
		return 1, nil
	}
	l.cur.Write(p)
	return len(p), nil
}

// TestTerminalBan is the done-when story in the terminal chat: enrol,
// ban, confirm with a TOTP code, see it in `bans`, watch it expire.
func TestTerminalBan(t *testing.T) {
	wd := newWorld(t, nil, nil)
	in, feed := io.Pipe()
	out := &lines{answers: make(chan string)}
	done := make(chan error, 1)
	go func() {
		done <- terminal.Run(context.Background(), wd.bot, terminal.Options{User: alice, In: in, Out: out, Files: t.TempDir(),
			Now: func() time.Time { wd.clk.Add(time.Second); return wd.clk.Now() }})
	}()
	ask := func(line string) string {
		io.WriteString(feed, line+"\n")
		return <-out.answers
	}

	a := ask("2fa enroll")
	m := regexp.MustCompile(`otpauth://totp/[^\x60\s]*secret=([A-Z2-7]+)`).FindStringSubmatch(a)
	if m == nil || !strings.Contains(a, "opsbot authenticator saved to ") {
		t.Fatalf("enrol:\n%s", a)
	}
	secret := m[1]
	a = ask("ban 203.0.113.9 for 1h bot storm")
	id := regexp.MustCompile(`type: cancel ([A-Z0-9]{6})`).FindStringSubmatch(a)
	if id == nil || !strings.Contains(a, "Confirm: ban 203.0.113.9/32 for 1h: bot storm at fastly") {
		t.Fatalf("ban:\n%s", a)
	}
	if a = ask("confirm " + id[1] + " " + code(t, secret, wd.clk.Now().Add(time.Second))); !strings.Contains(a, "Done: ban 203.0.113.9/32") {
		t.Fatalf("confirm:\n%s", a)
	}
	if a = ask("bans"); !regexp.MustCompile(`203\.0\.113\.9/32\s+fastly\s+active\s+alice \(UALICE\)`).MatchString(a) {
		t.Fatalf("bans:\n%s", a)
	}
	wd.clk.Add(time.Hour)
	if _, err := wd.wired.Expiry.Run(context.Background(), wd.clk.Now()); err != nil || len(wd.acl.ips()) != 0 {
		t.Fatalf("expiry: %v, edge %v", err, wd.acl.ips())
	}
	if a = ask("bans"); !strings.Contains(a, "expired") {
		t.Fatalf("bans after expiry:\n%s", a)
	}
	feed.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	res, err := wd.wired.Skill.Warehouse().Query(context.Background(), "SELECT count() FROM audit_log WHERE transport = 'terminal' AND user_id = 'UALICE'", nil)
	if err != nil || res.Rows[0][0] != uint64(5) {
		t.Errorf("terminal entries in the audit log: %v %v", res, err)
	}
	if titles := wd.slack.titles(); len(titles) != 2 || titles[0] != "tech-audits 2fa enroll: done" ||
		!strings.Contains(titles[1], "ban 203.0.113.9/32 for 1h: bot storm at fastly: done") {
		t.Errorf("audit room %q", titles)
	}
}
