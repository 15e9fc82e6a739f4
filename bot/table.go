package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/opsbot/opsbot"
)

// MaxCell is the widest a table cell gets before it is cut with "…".
const MaxCell = 48

// TableLines renders a result as monospace text lines: a header row, a rule,
// then one line per row. Columns are aligned (numbers to the right), numbers
// get thousands separators, long values are cut with "…". Every line has the
// same width, so a table split across messages stays aligned.
func TableLines(r *opsbot.Result) []string {
	cells := make([][]string, len(r.Rows))
	width := make([]int, len(r.Columns))
	right := make([]bool, len(r.Columns))
	for j, c := range r.Columns {
		width[j] = utf8.RuneCountInString(c.Name)
		right[j] = numericType(c.Type)
	}
	for i, row := range r.Rows {
		cells[i] = make([]string, len(r.Columns))
		for j := range r.Columns {
			var v any
			if j < len(row) {
				v = row[j]
			}
			s := cut(FormatValue(v), MaxCell)
			cells[i][j] = s
			width[j] = max(width[j], utf8.RuneCountInString(s))
			if isNumber(v) {
				right[j] = true
			}
		}
	}
	lines := make([]string, 0, len(r.Rows)+2)
	head := make([]string, len(r.Columns))
	rule := make([]string, len(r.Columns))
	for j, c := range r.Columns {
		head[j] = pad(c.Name, width[j], right[j])
		rule[j] = strings.Repeat("─", width[j])
	}
	lines = append(lines, strings.TrimRight(strings.Join(head, "  "), " "), strings.Join(rule, "  "))
	for _, row := range cells {
		for j := range row {
			row[j] = pad(row[j], width[j], right[j])
		}
		lines = append(lines, strings.TrimRight(strings.Join(row, "  "), " "))
	}
	return lines
}

// FormatValue renders one result value for people: integers with thousands
// separators, floats with two decimals, times as "2006-01-02 15:04:05".
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return oneLineValue(x)
	case int64:
		return Thousands(strconv.FormatInt(x, 10))
	case uint64:
		return Thousands(strconv.FormatUint(x, 10))
	case int:
		return Thousands(strconv.Itoa(x))
	case float64:
		return Thousands(strconv.FormatFloat(x, 'f', 2, 64))
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		if x.Nanosecond() != 0 {
			return x.UTC().Format("2006-01-02 15:04:05.000")
		}
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

// Thousands puts commas between groups of three digits of a decimal number
// ("-1234567.5" → "-1,234,567.5").
func Thousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func pad(s string, w int, right bool) string {
	gap := w - utf8.RuneCountInString(s)
	if gap <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", gap) + s
	}
	return s + strings.Repeat(" ", gap)
}

func oneLineValue(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ", "\t", " ", "`", "'").Replace(s)
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, uint64, int, float64:
		return true
	}
	return false
}

func numericType(t string) bool {
	t = strings.TrimPrefix(t, "Nullable(")
	for _, p := range []string{"Int", "UInt", "Float", "Decimal"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}
