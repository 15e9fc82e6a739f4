package infra

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
)

// DryRun is what `opsbot schedules run infra-audit --dry-run` prints: the
// daily report as of now, rendered as text, without recording anything.
func (a *Auditor) DryRun(ctx context.Context, now time.Time) (string, error) {
	ns, err := a.Job().Preview(ctx, now)
	return Text(ns), err
}

// Text renders notices as plain text: level and key, then the reply.
func Text(ns []opsbot.Notice) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprintf("[%s] %s\n%s", n.Level, n.Key, text.Reply(&n.Reply))
	}
	return strings.Join(parts, "\n")
}
