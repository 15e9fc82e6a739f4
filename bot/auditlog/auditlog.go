// Package auditlog appends every chat command — who, where, what was typed,
// the parsed action, allowed or refused, the result, the time taken and the
// approval — to the audit_log table (a MergeTree that is never updated),
// posts write actions to the audit room, and answers `audit [WINDOW]` and
// `audit verify`.
//
// # The hash chain
//
// Each row carries seq (1, 2, 3, … with no gaps), prev_hash (the hash of
// the row before; "" for seq 1) and hash: SHA-256 over a length-prefixed
// encoding of every field, seq, prev_hash and keyed included. When
// access.secret_key_env (OPSBOT_SECRET_KEY) holds a key, hash is an
// HMAC-SHA256 under a subkey derived from it with HKDF (info "opsbot
// audit_log chain v1"), and the row is marked keyed. The subkey rather than
// a separate variable: it is the one secret opsbot already holds outside
// the warehouse, which is what an insider with only SQL lacks, and HKDF
// keeps the two uses apart. Changing that key makes every keyed row fail
// (as it makes every TOTP secret unreadable): keep it.
//
// `audit verify` (and the daily audit-chain job) walks the rows in seq
// order and names the first that was deleted (a missing seq, a link to a
// row that is not there), altered (fields that no longer match the hash,
// or a hash recomputed so the next row no longer links to it) or forged
// (a second row with a taken seq, a row whose hash and link both fail, an
// unkeyed row after keyed ones, a row without a seq dated after the
// chain began). Rows written before the chain have seq 0: they are
// counted, not vouched for.
//
// What it proves, and what not:
//   - Keyed: nobody without the key can delete, alter, insert or reorder a
//     row anywhere but at the end without verify naming it.
//   - Plain SHA-256 (no key): the same against anyone who cannot rewrite
//     the rest of the table; an insider with SQL can recompute the hashes
//     from the row they change onward and verify then passes.
//   - Neither detects truncation, the newest rows removed: the chain that
//     is left is intact. The daily job therefore posts the head (last seq
//     and hash) to the audit room, like CloudTrail's digest files: a head
//     that is lower, or whose hash differs from the one posted for the
//     same seq, shows it against the room's history.
//   - Rows before the chain, and a row without a seq backdated to before
//     it, are not protected.
//
// Appends are serialized by one writer per process, which holds the head
// in memory (read from the table on first use and after a failed append,
// whose row may have landed). The embedded engine's data folder has one
// owner; on a ClickHouse server exactly one opsbot process may write the
// audit log (`serve`, not also a terminal `chat`): a second writer takes
// the same seqs, and verify reports the chain broken where they meet.
package auditlog

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Log is the audit log. It implements the router's Auditor.
type Log struct {
	w      warehouse.Warehouse
	poster opsbot.Poster // nil: nothing is posted
	room   string
	key    []byte // the chain's HMAC key; nil: plain SHA-256

	mu     sync.Mutex // serializes appends: one chain, one writer
	loaded bool       // seq and head hold the table's newest row
	seq    uint64
	head   string
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
	err := l.append(ctx, e)
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
	case "ban", "unban", "page", "deploy", "rollback", "confirm", "approve", "2fa":
		return true
	}
	return isDigits(strings.Join(f, "")) // a bare code
}

// Announce records e and posts it to the audit room: what changes the
// world outside a chat command (a ban expiring) goes through here.
func (l *Log) Announce(ctx context.Context, e opsbot.AuditEntry) error {
	err := l.append(ctx, e)
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
