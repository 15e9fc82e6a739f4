package query

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/opsbot/opsbot"
)

// MaxCell is the widest a text-table cell gets before it is cut with "…".
const MaxCell = 48

// plainColumns are numbers that are codes, not quantities: no separators.
var plainColumns = map[string]bool{"status": true, "top_status": true, "asn": true}

// RenderTable renders r as monospace text for people: a header row, a rule,
// then one line per row. Columns are aligned (numbers to the right), counts
// get thousands separators, and long values are cut with "…" so that no
// line is wider than width (0: no limit beyond MaxCell per cell). The
// terminal and Slack (inside a code block) both use it; JSON and CSV never
// cut or format values (see WriteJSON, WriteCSV).
func RenderTable(r *opsbot.Result, width int) string {
	cells := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		cells[i] = make([]string, len(r.Columns))
		for j, c := range r.Columns {
			if j < len(row) {
				cells[i][j] = formatCell(c.Name, row[j])
			}
		}
	}
	limit := MaxCell
	for limit > 8 && width > 0 && tableWidth(r, cells, limit) > width {
		limit--
	}
	var b strings.Builder
	w := colWidths(r, cells, limit)
	right := numericCols(r)
	writeRow(&b, names(r), w, right, limit)
	rule := make([]string, len(w))
	for j := range w {
		rule[j] = strings.Repeat("─", w[j])
	}
	b.WriteString(strings.Join(rule, "  ") + "\n")
	for _, row := range cells {
		writeRow(&b, row, w, right, limit)
	}
	return b.String()
}

func names(r *opsbot.Result) []string {
	out := make([]string, len(r.Columns))
	for j, c := range r.Columns {
		out[j] = c.Name
	}
	return out
}

func colWidths(r *opsbot.Result, cells [][]string, limit int) []int {
	w := make([]int, len(r.Columns))
	for j, c := range r.Columns {
		w[j] = utf8.RuneCountInString(cut(c.Name, limit))
	}
	for _, row := range cells {
		for j, s := range row {
			w[j] = max(w[j], utf8.RuneCountInString(cut(s, limit)))
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
		t := strings.TrimPrefix(strings.TrimPrefix(c.Type, "Nullable("), "LowCardinality(")
		out[j] = strings.HasPrefix(t, "UInt") || strings.HasPrefix(t, "Int") || strings.HasPrefix(t, "Float") || strings.HasPrefix(t, "Decimal")
	}
	return out
}

func writeRow(b *strings.Builder, row []string, w []int, right []bool, limit int) {
	parts := make([]string, len(row))
	for j, s := range row {
		s = cut(s, limit)
		gap := strings.Repeat(" ", w[j]-utf8.RuneCountInString(s))
		if right[j] {
			parts[j] = gap + s
		} else {
			parts[j] = s + gap
		}
	}
	b.WriteString(strings.TrimRight(strings.Join(parts, "  "), " ") + "\n")
}

// cut shortens s to n runes, ending in "…" when it was longer.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func formatCell(col string, v any) string {
	if plainColumns[col] {
		return fmt.Sprint(v)
	}
	return FormatValue(v)
}

// FormatValue renders one value for people: integers with thousands
// separators, floats to at most 3 decimals, times as "2006-01-02 15:04:05"
// (UTC), nil as "".
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case uint64:
		return thousands(strconv.FormatUint(x, 10))
	case int64:
		if x < 0 {
			return "-" + thousands(strconv.FormatInt(-x, 10))
		}
		return thousands(strconv.FormatInt(x, 10))
	case int:
		return FormatValue(int64(x))
	case float64:
		return formatFloat(x)
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = FormatValue(e)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

func formatFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	s := strconv.FormatFloat(x, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, frac, _ := strings.Cut(s, ".")
	s = thousands(ip)
	if frac != "" {
		s += "." + frac
	}
	if neg {
		s = "-" + s
	}
	return s
}

func thousands(d string) string {
	if len(d) <= 3 {
		return d
	}
	var b strings.Builder
	pre := len(d) % 3
	b.WriteString(d[:pre])
	for i := pre; i < len(d); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(d[i : i+3])
	}
	return b.String()
}

// Vertical renders row i as "name: value" lines, for one-row answers
// (hits for one IP) whose values are too long for a table.
func Vertical(r *opsbot.Result, i int) string {
	var b strings.Builder
	for j, c := range r.Columns {
		fmt.Fprintf(&b, "%-12s %s\n", c.Name+":", formatCell(c.Name, r.Rows[i][j]))
	}
	return b.String()
}

// Answer is the JSON form of an answer.
type Answer struct {
	Title   string        `json:"title"`
	SQL     string        `json:"sql"`
	Params  opsbot.Params `json:"params"`
	Columns []string      `json:"columns"`
	Rows    [][]any       `json:"rows"`
}

// WriteJSON writes {"title","sql","params","columns","rows"}; values are
// raw (no separators, no cutting), times in RFC 3339.
func WriteJSON(w io.Writer, title, sqlText string, params opsbot.Params, r *opsbot.Result) error {
	rows := r.Rows
	if rows == nil {
		rows = [][]any{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(Answer{Title: title, SQL: sqlText, Params: params, Columns: names(r), Rows: rows})
}

// WriteCSV writes a header row then the rows, values raw.
func WriteCSV(w io.Writer, r *opsbot.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(names(r)); err != nil {
		return err
	}
	for _, row := range r.Rows {
		rec := make([]string, len(row))
		for j, v := range row {
			rec[j] = rawValue(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func rawValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func joinWords(w []string) string { return strings.Join(w, " ") }
