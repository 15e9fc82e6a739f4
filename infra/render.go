package infra

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
)

// DryRun is what `opsbot schedules run infra-audit --dry-run` prints: the
// daily report as of now, rendered as text, without recording anything.
func (a *Auditor) DryRun(ctx context.Context, now time.Time) (string, error) {
	ns, err := a.Job().Preview(ctx, now)
	return Text(ns), err
}

// Text renders notices as plain text: level and key, title, text, table
// and footer of each.
func Text(ns []opsbot.Notice) string {
	var b strings.Builder
	for i, n := range ns {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%s] %s\n%s\n", n.Level, n.Key, n.Reply.Title)
		if n.Reply.Text != "" {
			b.WriteString("\n" + n.Reply.Text + "\n")
		}
		if n.Reply.Table != nil && len(n.Reply.Table.Rows) > 0 {
			b.WriteString("\n" + strings.Join(bot.TableLines(n.Reply.Table), "\n") + "\n")
		}
		if n.Reply.Context != "" {
			b.WriteString("\n" + n.Reply.Context + "\n")
		}
	}
	return b.String()
}
