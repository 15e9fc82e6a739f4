package bot

import (
	"context"
	"sync"

	"github.com/opsbot/opsbot"
)

// Note lets a skill tell the router what to write in the command's audit
// entry: the parsed action, the approval, or that the command was refused
// after all (a failed confirmation). Get it with NoteFrom.
type Note struct {
	mu       sync.Mutex
	action   string
	approval string
	refused  string
}

type noteKey struct{}

func withNote(ctx context.Context) (context.Context, *Note) {
	n := &Note{}
	return context.WithValue(ctx, noteKey{}, n), n
}

// NoteFrom returns the audit note of the command being handled. Outside the
// router it returns a note that goes nowhere, so skills can call it freely.
func NoteFrom(ctx context.Context) *Note {
	if n, ok := ctx.Value(noteKey{}).(*Note); ok {
		return n
	}
	return &Note{}
}

// Action sets the parsed action, e.g. "ban 54.45.12.34/32 for 24h".
func (n *Note) Action(a string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.action = a
}

// Approval sets how the action was confirmed: "totp", "button by U123",
// "approved by U456".
func (n *Note) Approval(a string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.approval = a
}

// Refused marks the command as not allowed after all, with the reason.
func (n *Note) Refused(reason string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.refused = reason
}

func (n *Note) apply(e *opsbot.AuditEntry) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.action != "" {
		e.Action = n.action
	}
	e.Approval = n.approval
	if n.refused != "" {
		e.Allowed = false
		e.Result = "refused: " + n.refused
	}
}
