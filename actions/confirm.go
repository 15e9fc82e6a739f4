package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/bot/access"
)

// enroll answers `2fa enroll [CODE]`, only in a DM and only to the asker
// (ephemeral): the otpauth URL, its key and the QR code are the secret.
func (s *Skill) enroll(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	if len(args) == 0 || !strings.EqualFold(args[0], "enroll") || len(args) > 2 {
		return ephemeral("Usage: `2fa enroll` in a direct message to opsbot (`2fa enroll CODE` to replace your authenticator)."), nil
	}
	if !dm(req) {
		return refuse(ctx, "2fa enroll", errors.New("send `2fa enroll` in a direct message to opsbot: the code it shows is a secret")), nil
	}
	if s.o.TOTP == nil {
		return refuse(ctx, "2fa enroll", errNoTOTP(s.o.Access.SecretKeyEnv)), nil
	}
	code := ""
	if len(args) == 2 {
		code = args[1]
	}
	e, err := s.o.TOTP.Enroll(ctx, req.User, code, s.now(req))
	if err != nil {
		if refusedCode(err) || errors.Is(err, access.ErrEnrolled) {
			return refuse(ctx, "2fa enroll", err), nil
		}
		return nil, err
	}
	r := enrolled(e, req.Transport)
	if err := s.postEnrolled(ctx, req, code != ""); err != nil {
		r.Text += "\n(" + err.Error() + ": tell the team yourself)"
	}
	return r, nil
}

// postEnrolled notes a new authenticator for the audit entry and posts it
// to the audit room: a first enrolment needs no code, so a chat session
// in the wrong hands could do it.
func (s *Skill) postEnrolled(ctx context.Context, req *opsbot.Request, replaced bool) error {
	action := "2fa enroll"
	if replaced {
		action = "2fa enroll (replaced the authenticator)"
	}
	bot.NoteFrom(ctx).Action(action)
	return s.post(ctx, opsbot.AuditEntry{Time: s.now(req), User: req.User, Channel: req.Channel, Transport: req.Transport,
		Text: req.Text, Action: action, Allowed: true, Result: "ok"})
}

// enrolled shows a new authenticator secret to the asker only. In Slack
// that is an ephemeral message, which stays out of the DM's history but
// carries no file, so there is no QR code there (an uploaded file would
// stay): the URL and the key are typed or pasted into the app. The
// terminal chat saves the QR code to a file only its user can read.
func enrolled(e *access.Enrollment, transport string) *opsbot.Reply {
	how := "Add it to an authenticator app (1Password, Google Authenticator, Authy …): paste this URL"
	note := "Only you see this message, and Slack forgets it when you reload: nobody else may see the key."
	var files []opsbot.File
	if transport == "terminal" {
		how = "Scan the QR code below with an authenticator app (1Password, Google Authenticator, Authy …), or paste this URL"
		note = "Only you can read the QR code's file: delete it once scanned."
		files = []opsbot.File{{Name: "opsbot-2fa.png", Title: "opsbot authenticator", MimeType: "image/png", Data: e.PNG}}
	}
	return &opsbot.Reply{Title: "Your opsbot authenticator", Ephemeral: true, Files: files,
		Text: how + "\n`" + e.URL + "`\nor type the key `" + grouped(e.Key) + "` (time-based, 6 digits, every 30 s).\n" +
			"Then confirm write commands with the 6-digit code it shows, sent to me in a DM. " + note}
}

// grouped writes key in groups of four, for typing it in.
func grouped(key string) string {
	var b strings.Builder
	for i, r := range key {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// refusedCode reports whether err refuses a second-factor code: wrong,
// replayed, or the person's second factor is locked.
func refusedCode(err error) bool {
	return errors.Is(err, access.ErrBadCode) || errors.Is(err, access.ErrReplayed) || errors.Is(err, access.ErrLocked)
}

// confirm answers `confirm ID CODE` (TOTP), `confirm ID` (a button) and
// `confirm CODE` (the requester's one pending TOTP confirmation).
func (s *Skill) confirm(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	id, code, err := s.confirmArgs(req, args)
	if err != nil {
		return refuse(ctx, "", err), nil
	}
	p, approval, err := s.o.Confirmations.Confirm(ctx, req.User, id, code, dm(req))
	if err != nil {
		return s.failed(ctx, "confirm "+id, err), nil
	}
	return p.Action.Run(ctx, approval)
}

func (s *Skill) confirmArgs(req *opsbot.Request, args []string) (id, code string, err error) {
	switch {
	case len(args) == 1 && sixDigits.MatchString(args[0]):
		var mine []*access.Pending
		for _, p := range s.o.Confirmations.Mine(req.User) {
			if p.Action.Method == "totp" {
				mine = append(mine, p)
			}
		}
		if len(mine) != 1 {
			return "", "", opsbot.Invalidf("you have %d pending confirmations: send `confirm ID CODE`", len(mine))
		}
		return mine[0].ID, args[0], nil
	case len(args) == 1:
		return strings.ToUpper(args[0]), "", nil
	case len(args) == 2:
		return strings.ToUpper(args[0]), strings.ReplaceAll(args[1], " ", ""), nil
	case len(args) == 3 && sixDigits.MatchString(args[1]+" "+args[2]):
		return strings.ToUpper(args[0]), args[1] + args[2], nil
	}
	return "", "", opsbot.Invalidf("usage: `confirm ID CODE` (in a DM) or `confirm ID` for a button")
}

// failed refuses a confirmation attempt, noting it for the audit log.
func (s *Skill) failed(ctx context.Context, what string, err error) *opsbot.Reply {
	return refuse(ctx, what, err)
}

// approve answers `approve ID` from a second operator.
func (s *Skill) approve(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	if len(args) != 1 {
		return refuse(ctx, "", opsbot.Invalidf("usage: `approve ID`")), nil
	}
	id := strings.ToUpper(args[0])
	p, approval, err := s.o.Confirmations.Approve(req.User, id)
	if err != nil {
		return s.failed(ctx, "approve "+id, err), nil
	}
	return p.Action.Run(ctx, approval)
}

// cancel answers `cancel ID` from the requester.
func (s *Skill) cancel(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	if len(args) != 1 {
		return refuse(ctx, "", opsbot.Invalidf("usage: `cancel ID`")), nil
	}
	id := strings.ToUpper(args[0])
	p, err := s.o.Confirmations.Cancel(req.User, id)
	if err != nil {
		return s.failed(ctx, "cancel "+id, err), nil
	}
	bot.NoteFrom(ctx).Action("cancel " + p.Action.Summary)
	return &opsbot.Reply{Text: "Cancelled: " + p.Action.Summary}, nil
}

func errNoTOTP(env string) error {
	return fmt.Errorf("two-factor codes are not set up: the operator of opsbot must set %s to a base64 32-byte key (openssl rand -base64 32) and restart", env)
}
