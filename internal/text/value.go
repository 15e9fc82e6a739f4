package text

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// plainColumns are numbers that are codes, not quantities: no separators.
var plainColumns = map[string]bool{"status": true, "top_status": true, "asn": true}

// Cell renders the value of column col: codes (status, asn) as they are,
// status 0 as 000 (see NoResponse), other values through Value.
func Cell(col string, v any) string {
	if _, isText := v.(string); plainColumns[col] && v != nil && !isText {
		return Status(col, v)
	}
	return Value(v)
}

// NoResponse explains status 000, once, where it appears.
const NoResponse = "000: the client closed the connection before a response"

// Status renders a code of column col: a status of 0 is 000, as
// CloudFront logs it (no response was sent).
func Status(col string, v any) string {
	if s := fmt.Sprint(v); s != "0" || !strings.Contains(col, "status") {
		return s
	}
	return "000"
}

// HasNoResponse says whether a status column of r holds a 0 (shown as 000).
func HasNoResponse(r *opsbot.Result) bool {
	for j, c := range r.Columns {
		if !strings.Contains(c.Name, "status") || !plainColumns[c.Name] {
			continue
		}
		for _, row := range r.Rows {
			if fmt.Sprint(row[j]) == "0" {
				return true
			}
		}
	}
	return false
}

// Value renders one value for people: integers with thousands separators,
// floats to at most 3 decimals, times as "2006-01-02 15:04:05" (UTC), text
// on one line (newlines, tabs and backticks would break a code block) and
// through Visible (no control or bidi character reaches a terminal), nil
// as "".
func Value(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return Visible(oneLine.Replace(x))
	case uint64:
		return Thousands(strconv.FormatUint(x, 10))
	case int64:
		return Thousands(strconv.FormatInt(x, 10))
	case int:
		return Thousands(strconv.Itoa(x))
	case float64:
		return float(x)
	case time.Time:
		if x.Nanosecond() != 0 {
			return x.UTC().Format("2006-01-02 15:04:05.000")
		}
		return x.UTC().Format("2006-01-02 15:04:05")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Value(e)
		}
		return strings.Join(parts, ", ")
	}
	return Visible(fmt.Sprint(v))
}

var oneLine = strings.NewReplacer("\n", " ", "\r", " ", "\t", " ", "`", "'")

func float(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	s := strconv.FormatFloat(x, 'f', 3, 64)
	return Thousands(strings.TrimRight(strings.TrimRight(s, "0"), "."))
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

// Duration renders how long something took, for people: whole
// milliseconds under a second ("29ms", "<1ms"), hundredths of a second
// under a minute ("2.35s"), whole seconds above ("1m3s").
func Duration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
