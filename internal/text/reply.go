package text

import (
	"fmt"
	"strings"

	"github.com/opsbot/opsbot"
)

// Reply renders a whole reply as plain text: title, text, the table
// aligned (a Record as "column: value" lines), the context line, and the commands behind its buttons, every
// part through Visible (Text through VisibleLines): titles and texts carry
// data too (an address, a filter, a path). It is what the terminal shows
// and what a dry run prints.
func Reply(r *opsbot.Reply) string {
	var b strings.Builder
	if r.Here {
		b.WriteString("@here ")
	}
	if r.Title != "" {
		b.WriteString(Visible(r.Title) + "\n")
	}
	if r.Text != "" {
		b.WriteString(VisibleLines(r.Text) + "\n")
	}
	if r.Table != nil && len(r.Table.Columns) > 0 {
		switch {
		case len(r.Table.Rows) == 0:
			b.WriteString("(no rows)\n")
		case len(r.Table.Rows) == 1 && r.Record:
			b.WriteString(Vertical(r.Table, 0))
		default:
			b.WriteString(Table(r.Table, 0))
		}
	}
	if r.Context != "" {
		b.WriteString("— " + Visible(r.Context) + "\n")
	}
	for _, btn := range r.Buttons {
		fmt.Fprintf(&b, "[%s] type: %s\n", Visible(btn.Label), Visible(btn.Command))
	}
	return b.String()
}
