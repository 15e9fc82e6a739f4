package warehouse

import (
	"fmt"
	"strconv"
	"time"

	"github.com/opsbot/opsbot"
)

// Readers for the values in an opsbot.Result row: int64, uint64, float64,
// bool, string, time.Time or nil (see Kind).

// timeParamLayout is ClickHouse's text form of a DateTime64(3) value.
const timeParamLayout = "2006-01-02 15:04:05.000"

// TimeParam renders t as a {name:DateTime64(3, 'UTC')} parameter.
func TimeParam(t time.Time) string { return t.UTC().Format(timeParamLayout) }

// Uint64 is v as a uint64: negative numbers are 0, a string is read as a
// decimal number (0 when it is not one), anything else is 0.
func Uint64(v any) uint64 {
	switch x := v.(type) {
	case uint64:
		return x
	case int64:
		if x < 0 {
			return 0
		}
		return uint64(x)
	case float64:
		if x < 0 {
			return 0
		}
		return uint64(x)
	case string:
		n, _ := strconv.ParseUint(x, 10, 64)
		return n
	}
	return 0
}

// Float is v as a float64, with true as 1; ok is false (and f 0) for nil
// and anything else that is not a number.
func Float(v any) (f float64, ok bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// String is v as text: "" for nil, a time in RFC 3339 (UTC), anything else
// as fmt.Sprint prints it.
func String(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

// Time is v as a time, or the zero time when v is not one.
func Time(v any) time.Time {
	t, _ := v.(time.Time)
	return t
}

// Row is one result row addressed by column name.
type Row struct {
	r   *opsbot.Result
	row []any
}

// RowsOf are res's rows.
func RowsOf(res *opsbot.Result) []Row {
	out := make([]Row, len(res.Rows))
	for i, r := range res.Rows {
		out[i] = Row{res, r}
	}
	return out
}

// Get is the value of column name, or nil.
func (r Row) Get(name string) any {
	if i := r.r.Col(name); i >= 0 && i < len(r.row) {
		return r.row[i]
	}
	return nil
}

// U is column name as a uint64.
func (r Row) U(name string) uint64 { return Uint64(r.Get(name)) }

// F is column name as a float64.
func (r Row) F(name string) float64 { f, _ := Float(r.Get(name)); return f }

// S is column name as text.
func (r Row) S(name string) string { return String(r.Get(name)) }
