package warehouse

import (
	"fmt"
	"strconv"
	"time"
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
