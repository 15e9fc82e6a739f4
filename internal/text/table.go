// Package text renders opsbot's answers as plain text for people: tables
// aligned for monospace (numbers to the right, thousands separators, long
// values cut with …) and single values, and keeps what it renders from
// acting on a terminal or a chat (safe.go: Visible, Mrkdwn, CSVCell). Every
// surface uses it — Slack code blocks, the terminal chat, `opsbot ask`, dry
// runs, CSV — so one answer reads the same everywhere. JSON keeps raw
// values: its encoding escapes what it must.
package text

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// MaxCell is the widest a cell gets before it is cut with "…".
const MaxCell = 48

// Lines renders r as a header line, a rule, then one line per row. Cells
// are cut so that no line is wider than width (0: only MaxCell per cell).
func Lines(r *opsbot.Result, width int) []string {
	cells := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		cells[i] = make([]string, len(r.Columns))
		for j, c := range r.Columns {
			if j < len(row) {
				cells[i][j] = tableCell(c.Name, row[j])
			}
		}
	}
	limit := MaxCell
	for limit > 8 && width > 0 && tableWidth(r, cells, limit) > width {
		limit--
	}
	w := colWidths(r, cells, limit)
	right := numericCols(r)
	rule := make([]string, len(w))
	for j := range w {
		rule[j] = strings.Repeat("─", w[j])
	}
	lines := []string{row(names(r), w, right, limit), strings.Join(rule, "  ")}
	for _, cs := range cells {
		lines = append(lines, row(cs, w, right, limit))
	}
	return lines
}

// None stands in a table for an empty text value, such as the requests
// without a referer or the country of a log that carries none: a blank key
// reads as a rendering fault.
const None = "(none)"

func tableCell(col string, v any) string {
	if s, ok := v.(string); ok && s == "" {
		return None
	}
	return Cell(col, v)
}

// Table is Lines joined, each line ending in a newline.
func Table(r *opsbot.Result, width int) string {
	return strings.Join(Lines(r, width), "\n") + "\n"
}

// Vertical renders row i as "name: value" lines, for one-row answers whose
// values are too long for a table.
func Vertical(r *opsbot.Result, i int) string {
	var b strings.Builder
	for j, c := range r.Columns {
		fmt.Fprintf(&b, "%-12s %s\n", Visible(c.Name)+":", Cell(c.Name, r.Rows[i][j]))
	}
	return b.String()
}

func names(r *opsbot.Result) []string {
	out := make([]string, len(r.Columns))
	for j, c := range r.Columns {
		out[j] = Visible(c.Name) // `sql` names columns as the analyst wrote them
	}
	return out
}

func colWidths(r *opsbot.Result, cells [][]string, limit int) []int {
	w := make([]int, len(r.Columns))
	for j, c := range r.Columns {
		w[j] = utf8.RuneCountInString(Cut(c.Name, limit))
	}
	for _, row := range cells {
		for j, s := range row {
			w[j] = max(w[j], utf8.RuneCountInString(Cut(s, limit)))
		}
	}
	return w
}

func tableWidth(r *opsbot.Result, cells [][]string, limit int) int {
	t := 0
	for _, x := range colWidths(r, cells, limit) {
		t += x + 2
	}
	return t - 2
}

func numericCols(r *opsbot.Result) []bool {
	out := make([]bool, len(r.Columns))
	for j, c := range r.Columns {
		k := warehouse.Kind(c.Type)
		out[j] = k == warehouse.KindInt || k == warehouse.KindUint || k == warehouse.KindFloat
	}
	return out
}

func row(cells []string, w []int, right []bool, limit int) string {
	parts := make([]string, len(cells))
	for j, s := range cells {
		s = Cut(s, limit)
		gap := strings.Repeat(" ", w[j]-utf8.RuneCountInString(s))
		if right[j] {
			parts[j] = gap + s
		} else {
			parts[j] = s + gap
		}
	}
	return strings.TrimRight(strings.Join(parts, "  "), " ")
}

// Cut shortens s to n runes, ending in "…" when it was longer.
func Cut(s string, n int) string {
	if n < 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
