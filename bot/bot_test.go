package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
)

// echo is a small real skill: "echo WORDS" answers WORDS, "boom" fails,
// "panic" panics, "ban" is an operator command.
type echo struct{}

func (echo) Commands() []opsbot.Command {
	return []opsbot.Command{
		{Name: "echo", Usage: "echo WORDS", Summary: "say it back", Role: opsbot.RoleReader, Examples: []string{"echo hello"}},
		{Name: "top", Usage: "top [N] WHAT by DIMENSION", Summary: "top talkers", Role: opsbot.RoleReader, Examples: []string{"top 4xx by ip", "top 5xx by path"}},
		{Name: "boom", Summary: "fails", Role: opsbot.RoleReader},
		{Name: "panic", Summary: "panics", Role: opsbot.RoleReader},
		{Name: "ban", Usage: "ban IP|CIDR [for 24h] [reason]", Summary: "block at the edge", Role: opsbot.RoleOperator, Write: true, Examples: []string{"ban 1.2.3.4 for 24h"}},
		{Name: "confirm", Usage: "confirm CODE", Summary: "confirm a write", Role: opsbot.RoleOperator},
	}
}

func (echo) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	word, rest, _ := strings.Cut(req.Text, " ")
	switch strings.ToLower(word) {
	case "boom":
		return nil, errors.New("engine down: connection refused\nstack…")
	case "panic":
		panic("kaboom")
	case "ban":
		bot.NoteFrom(ctx).Action("ban " + rest + "/32")
		bot.NoteFrom(ctx).Approval("totp")
	case "confirm":
		if rest != "123456" {
			bot.NoteFrom(ctx).Refused("wrong code")
			return &opsbot.Reply{Text: "wrong code", Ephemeral: true}, nil
		}
	}
	return &opsbot.Reply{Text: req.Text + " from " + req.User.ID}, nil
}

// Rewrite claims bare six-digit codes sent in a DM.
func (echo) Rewrite(req *opsbot.Request, text string) (string, bool) {
	if req.DM && len(text) == 6 && strings.Trim(text, "0123456789") == "" {
		return "confirm " + text, true
	}
	return "", false
}

type roles map[string]opsbot.Role

func (r roles) Role(_ context.Context, u opsbot.User, _ string) opsbot.Role { return r[u.ID] }

type auditLog struct {
	mu      sync.Mutex
	entries []opsbot.AuditEntry
}

func (a *auditLog) Record(_ context.Context, e opsbot.AuditEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
	return nil
}

func newBot(t *testing.T) (*bot.Bot, *auditLog) {
	t.Helper()
	log := &auditLog{}
	clock := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(250 * time.Millisecond); return clock }
	b := bot.New(bot.Options{
		Authorizer: roles{"UOPS": opsbot.RoleOperator, "UREAD": opsbot.RoleReader},
		Auditor:    log,
		BotUserID:  "UBOT",
		Now:        now,
	}, echo{})
	return b, log
}

func ask(b *bot.Bot, user, text string) *opsbot.Reply {
	return b.Handle(context.Background(), &opsbot.Request{User: opsbot.User{ID: user, Name: "someone"}, Channel: "C1", Text: text, Transport: "test"})
}

func TestStrip(t *testing.T) {
	for in, want := range map[string]string{
		"top 4xx by ip":                   "top 4xx by ip",
		"opsbot top 4xx by ip":            "top 4xx by ip",
		"  OpsBot   top   4XX  by ip ":    "top 4XX by ip",
		"<@UBOT> top 4xx by ip":           "top 4xx by ip",
		"<@UBOT|opsbot>  opsbot: top 4xx": "top 4xx",
		"opsbot, help":                    "help",
		"<@UBOT>help":                     "help",
		"<@UOTHER> top 4xx":               "<@UOTHER> top 4xx",
		"opsbots are great":               "opsbots are great",
		"opsbot":                          "",
	} {
		if got := bot.Strip(in, "UBOT"); got != want {
			t.Errorf("Strip(%q) = %q, want %q", in, got, want)
		}
	}
	if _, ok := bot.Addressed("top 4xx", "UBOT"); ok {
		t.Error(`Addressed("top 4xx") = true, want false`)
	}
	if rest, ok := bot.Addressed("opsbot top 4xx", "UBOT"); !ok || rest != "top 4xx" {
		t.Errorf(`Addressed("opsbot top 4xx") = %q, %v`, rest, ok)
	}
}

func TestRouteAndAudit(t *testing.T) {
	b, log := newBot(t)
	r := ask(b, "UREAD", "<@UBOT>   ECHO   hello   world")
	if r.Text != "ECHO hello world from UREAD" || r.Ephemeral {
		t.Fatalf("reply = %+v", r)
	}
	if r.Took != 250*time.Millisecond {
		t.Errorf("Took = %v, want 250ms", r.Took)
	}
	e := log.entries[0]
	if !e.Allowed || e.Result != "ok" || e.User.ID != "UREAD" || e.Text != "ECHO hello world" || e.Channel != "C1" || e.Transport != "test" || e.Took != 250*time.Millisecond {
		t.Errorf("audit entry = %+v", e)
	}
}

func TestRefusalNamesRole(t *testing.T) {
	b, log := newBot(t)
	r := ask(b, "UREAD", "ban 1.2.3.4")
	if !r.Ephemeral || r.Text != "`ban` needs the operator role; you are a reader." {
		t.Errorf("reader ban: %+v", r)
	}
	r = ask(b, "USTRANGER", "echo hi")
	if !r.Ephemeral || !strings.Contains(r.Text, "needs the reader role; you are not known to opsbot") {
		t.Errorf("stranger: %+v", r)
	}
	if len(log.entries) != 2 || log.entries[0].Allowed || log.entries[0].Result != "refused: needs operator, has reader" {
		t.Errorf("audit = %+v", log.entries)
	}
	r = ask(b, "UOPS", "ban 1.2.3.4")
	e := log.entries[2]
	if r.Ephemeral || !e.Allowed || e.Action != "ban 1.2.3.4/32" || e.Approval != "totp" {
		t.Errorf("operator ban: reply %+v entry %+v", r, e)
	}
}

func TestDefaultAuthorizerIsReader(t *testing.T) {
	b := bot.New(bot.Options{}, echo{})
	if r := ask(b, "U1", "echo hi"); r.Ephemeral {
		t.Errorf("reader command refused: %+v", r)
	}
	if r := ask(b, "U1", "ban 1.2.3.4"); !r.Ephemeral || !strings.Contains(r.Text, "needs the operator role") {
		t.Errorf("operator command allowed without an Authorizer: %+v", r)
	}
}

// askIn sends text as user over a transport.
func askIn(b *bot.Bot, transport, user, text string) *opsbot.Reply {
	return b.Handle(context.Background(), &opsbot.Request{User: opsbot.User{ID: user, Name: "someone"}, Channel: "C1", Text: text, Transport: transport})
}

// TestHelp: help lists every command with its usage and role, in Slack
// mrkdwn over Slack.
func TestHelp(t *testing.T) {
	b, _ := newBot(t)
	r := askIn(b, "slack", "UREAD", "opsbot help")
	for _, c := range append(echo{}.Commands(), opsbot.Command{Usage: "help [COMMAND]"}) {
		u := c.Usage
		if u == "" {
			u = c.Name
		}
		if !strings.Contains(r.Text, "`"+u+"`") {
			t.Errorf("help does not list %q:\n%s", u, r.Text)
		}
	}
	if !strings.Contains(r.Text, "`ban IP|CIDR [for 24h] [reason]` — block at the edge _(operator, write)_") {
		t.Errorf("help line for ban:\n%s", r.Text)
	}
	r = askIn(b, "slack", "UREAD", "help BAN")
	want := "Usage: `ban IP|CIDR [for 24h] [reason]`\nblock at the edge\nNeeds the operator role; a write command: it changes something outside opsbot and asks for confirmation.\nExamples:\n• `ban 1.2.3.4 for 24h`"
	if r.Text != want {
		t.Errorf("help ban =\n%s\nwant\n%s", r.Text, want)
	}
	if r := ask(b, "USTRANGER", "help"); r.Title != "opsbot commands" {
		t.Errorf("help refused to a stranger: %+v", r)
	}
	if r := ask(b, "UREAD", ""); r.Title != "opsbot commands" {
		t.Errorf("empty text should answer help, got %+v", r)
	}
}

// TestHelpInTheTerminalIsPlain: the terminal (and ask, and the socket)
// shows help as plain text, with the role in parentheses: no backticks, no
// _(operator)_.
func TestHelpInTheTerminalIsPlain(t *testing.T) {
	b, _ := newBot(t)
	for _, tr := range []string{"terminal", "socket"} {
		r := askIn(b, tr, "UREAD", "help")
		if !strings.Contains(r.Text, "ban IP|CIDR [for 24h] [reason] — block at the edge (operator, write)\n") ||
			strings.ContainsAny(r.Text+r.Context, "`_*") {
			t.Errorf("%s help:\n%s\n%s", tr, r.Text, r.Context)
		}
		r = askIn(b, tr, "UREAD", "help ban")
		if want := "Usage: ban IP|CIDR [for 24h] [reason]\nblock at the edge\nNeeds the operator role; a write command: it changes something outside opsbot and asks for confirmation.\nExamples:\n• ban 1.2.3.4 for 24h"; r.Text != want {
			t.Errorf("%s help ban =\n%s\nwant\n%s", tr, r.Text, want)
		}
	}
	if r := b.Help("help"); strings.Contains(r.Text, "`") {
		t.Errorf("Help (what ask prints) has markup:\n%s", r.Text)
	}
}

type fixedSuggester string

func (s fixedSuggester) Suggest(string) string { return string(s) }

func TestUnknownSuggests(t *testing.T) {
	b, log := newBot(t)
	r := ask(b, "UREAD", "tpo 4xx by ip")
	if want := "unknown command \"tpo\"; did you mean \"top 4xx by ip\"? Type `help` for the list."; !r.Ephemeral || r.Text != want {
		t.Errorf("got %q, want %q", r.Text, want)
	}
	if r := ask(b, "UREAD", "what is the meaning of life"); strings.Contains(r.Text, "did you mean") {
		t.Errorf("far-off text got a suggestion: %q", r.Text)
	}
	if log.entries[0].Allowed || log.entries[0].Result != "refused: unknown command" {
		t.Errorf("audit = %+v", log.entries[0])
	}
	b = bot.New(bot.Options{Suggester: fixedSuggester("top 5xx by path")}, echo{})
	if r := ask(b, "U1", "tpo"); !strings.Contains(r.Text, `did you mean "top 5xx by path"?`) {
		t.Errorf("Suggester not asked: %q", r.Text)
	}
}

func TestSkillErrorAndPanic(t *testing.T) {
	b, log := newBot(t)
	r := ask(b, "UREAD", "boom")
	if !r.Ephemeral || r.Text != "Sorry, `boom` failed: engine down: connection refused" {
		t.Errorf("error reply = %q", r.Text)
	}
	r = ask(b, "UREAD", "panic")
	if !r.Ephemeral || !strings.Contains(r.Text, "`panic` failed: it crashed") {
		t.Errorf("panic reply = %q", r.Text)
	}
	if log.entries[1].Result != "error: panic: kaboom" {
		t.Errorf("panic audit = %+v", log.entries[1])
	}
}

func TestRewriterAndRefusedNote(t *testing.T) {
	b, log := newBot(t)
	dm := &opsbot.Request{User: opsbot.User{ID: "UOPS"}, DM: true, Text: "654321"}
	r := b.Handle(context.Background(), dm)
	if r.Text != "wrong code" {
		t.Fatalf("reply = %+v", r)
	}
	if e := log.entries[0]; e.Allowed || e.Result != "refused: wrong code" || e.Text != "654321" || e.Action != "confirm 654321" {
		t.Errorf("audit = %+v", e)
	}
	r = b.Handle(context.Background(), &opsbot.Request{User: opsbot.User{ID: "UOPS"}, Text: "123456"})
	if !strings.HasPrefix(r.Text, "unknown command") {
		t.Errorf("code outside a DM should not be rewritten: %+v", r)
	}
}

func TestPlaceRefuses(t *testing.T) {
	log := &auditLog{}
	b := bot.New(bot.Options{Auditor: log, Place: func(_ context.Context, req *opsbot.Request) error {
		if req.Channel == "CRANDOM" {
			return errors.New("opsbot answers in #ops and in DMs")
		}
		return nil
	}}, echo{})
	r := b.Handle(context.Background(), &opsbot.Request{User: opsbot.User{ID: "U1"}, Channel: "CRANDOM", Text: "echo hi"})
	if !r.Ephemeral || r.Text != "opsbot answers in #ops and in DMs" || log.entries[0].Allowed {
		t.Errorf("reply %+v audit %+v", r, log.entries)
	}
}
