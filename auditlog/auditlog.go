// Package auditlog appends every chat command — who, where, what was typed,
// the parsed action, allowed or refused, the result, the time taken and the
// approval — to the audit_log table (a MergeTree that is never updated),
// posts write actions to the audit room, and answers `audit [WINDOW]`.
package auditlog

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Log is the audit log. It implements the router's Auditor.
type Log struct {
	w      warehouse.Warehouse
	poster opsbot.Poster // nil: nothing is posted
	room   string
}

// New returns the log over w, posting write actions to room through poster
// (nil to post nothing, e.g. in the terminal chat without Slack).
func New(w warehouse.Warehouse, poster opsbot.Poster, room string) *Log {
	return &Log{w: w, poster: poster, room: room}
}

// Record appends e. Codes typed in `confirm ID CODE` and `2fa enroll CODE`
// are masked: the log never holds a second factor. A refused write
// command (ban, unban, page), confirmation (a wrong, expired or replayed
// code, a refused approval, a locked second factor) or enrolment (`2fa
// enroll` with a wrong code or while locked) is also posted to the audit
// room: someone tried to change the edge, wake the on-call or swap a
// second factor and was stopped.
func (l *Log) Record(ctx context.Context, e opsbot.AuditEntry) error {
	err := l.insert(ctx, e)
	if !e.Allowed && isWrite(e.Text) {
		if perr := l.Post(ctx, e); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

// isWrite reports whether text is a write command, a confirmation or an
// enrolment of a second factor.
func isWrite(text string) bool {
	f := strings.Fields(strings.ToLower(text))
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "ban", "unban", "page", "confirm", "approve", "2fa":
		return true
	}
	return isDigits(strings.Join(f, "")) // a bare code
}

func (l *Log) insert(ctx context.Context, e opsbot.AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	err := l.w.Exec(ctx, `INSERT INTO audit_log
		(ts, user_id, user_name, channel, transport, text, action, allowed, result, took_ms, approval)
		SELECT {ts:DateTime64(3, 'UTC')}, {uid:String}, {uname:String}, {ch:String}, {tr:String},
		       {text:String}, {action:String}, {allowed:Bool}, {result:String}, {took:UInt32}, {approval:String}`,
		opsbot.Params{
			"ts": warehouse.TimeParam(e.Time), "uid": e.User.ID, "uname": e.User.Name,
			"ch": e.Channel, "tr": e.Transport, "text": Redact(e.Text), "action": Redact(e.Action),
			"allowed": strconv.FormatBool(e.Allowed), "result": e.Result,
			"took": strconv.FormatInt(min(e.Took.Milliseconds(), 1<<32-1), 10), "approval": e.Approval,
		})
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

// Announce records e and posts it to the audit room: what changes the
// world outside a chat command (a ban expiring) goes through here.
func (l *Log) Announce(ctx context.Context, e opsbot.AuditEntry) error {
	err := l.insert(ctx, e)
	if perr := l.Post(ctx, e); perr != nil && err == nil {
		err = perr
	}
	return err
}

// Post only posts e to the audit room: write commands, whose table entry
// the router records.
func (l *Log) Post(ctx context.Context, e opsbot.AuditEntry) error {
	if l.poster == nil || l.room == "" {
		return nil
	}
	if _, err := l.poster.Post(ctx, opsbot.Message{Channel: l.room, Reply: Message(e)}); err != nil {
		return fmt.Errorf("post to %s: %w", l.room, err)
	}
	return nil
}

// Message renders e for the audit room: the action and its outcome (the
// first line of Result) as the title; who, where, the approval and the
// rest of Result as text.
func Message(e opsbot.AuditEntry) opsbot.Reply {
	action := e.Action
	if action == "" {
		action = Redact(e.Text)
	}
	first, rest, _ := strings.Cut(e.Result, "\n")
	verdict := "done"
	switch {
	case !e.Allowed:
		verdict = "refused"
	case first != "ok" && first != "":
		verdict = first
	}
	parts := []string{"by " + name(e.User)}
	if e.Channel != "" {
		parts = append(parts, "in "+e.Channel)
	}
	if e.Approval != "" {
		parts = append(parts, "confirmed: "+e.Approval)
	}
	text := strings.Join(parts, " · ")
	if !e.Allowed && first != "" {
		text += "\n" + first
	}
	if rest != "" {
		text += "\n" + rest
	}
	return opsbot.Reply{
		Title:   fmt.Sprintf("%s: %s", action, verdict),
		Text:    text,
		Context: fmt.Sprintf("%s · took %s · via %s", e.Time.UTC().Format("2006-01-02 15:04:05Z"), e.Took.Round(time.Millisecond), e.Transport),
	}
}

func name(u opsbot.User) string {
	if u.Name == "" {
		return u.ID
	}
	return u.Name + " (" + u.ID + ")"
}

// Redact masks the second factor in commands that carry one.
func Redact(text string) string {
	f := strings.Fields(text)
	if isDigits(strings.Join(f, "")) {
		return "******" // a bare code sent in a DM
	}
	switch {
	case len(f) >= 3 && strings.EqualFold(f[0], "confirm"):
		f = append(f[:2], "******") // all of the code, even typed "123 456"
	case len(f) == 2 && strings.EqualFold(f[0], "confirm") && isDigits(f[1]):
		f[1] = "******" // a bare code, rewritten from a DM
	case len(f) >= 3 && strings.EqualFold(f[0], "2fa") && strings.EqualFold(f[1], "enroll"):
		f = append(f[:2], "******")
	default:
		return text
	}
	return strings.Join(f, " ")
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
