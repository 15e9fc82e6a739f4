package actions

import (
	"context"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
)

// Handle answers one write command.
func (s *Skill) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	f := strings.Fields(req.Text)
	if len(f) == 0 {
		return ephemeral("Say what to do, e.g. `ban 203.0.113.9 for 24h scraping`."), nil
	}
	args := f[1:]
	switch strings.ToLower(f[0]) {
	case "ban":
		return s.ban(ctx, req, args)
	case "unban":
		return s.unban(ctx, req, args)
	case "bans":
		return s.list(ctx, req)
	case "page":
		return s.page(ctx, req, args)
	case "2fa":
		return s.enroll(ctx, req, args)
	case "confirm":
		return s.confirm(ctx, req, args)
	case "approve":
		return s.approve(ctx, req, args)
	case "cancel":
		return s.cancel(ctx, req, args)
	}
	return ephemeral("Unknown write command %q.", f[0]), nil
}

var sixDigits = regexp.MustCompile(`^\d{3} ?\d{3}$`)

// Rewrite lets a requester send just the six-digit code in a DM: it
// becomes `confirm CODE`, for their one pending TOTP confirmation.
func (s *Skill) Rewrite(req *opsbot.Request, text string) (string, bool) {
	t := strings.TrimSpace(text)
	if !dm(req) || !sixDigits.MatchString(t) {
		return "", false
	}
	return "confirm " + strings.ReplaceAll(t, " ", ""), true
}

var _ bot.Rewriter = (*Skill)(nil)

// dm reports whether req is private: a Slack DM or the terminal chat.
func dm(req *opsbot.Request) bool { return req.DM || req.Transport == "terminal" }

// refuse notes a refusal for the audit entry and answers it to the asker.
func refuse(ctx context.Context, action string, err error) *opsbot.Reply {
	n := bot.NoteFrom(ctx)
	if action != "" {
		n.Action(action)
	}
	n.Refused(opsbot.ErrorText(err))
	return ephemeral("%s", capitalize(opsbot.ErrorText(err)))
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:] // the first character, not byte
}
