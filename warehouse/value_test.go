package warehouse_test

import (
	"math"
	"testing"
	"time"

	"github.com/opsbot/opsbot/warehouse"
)

var moment = time.Date(2026, 11, 22, 13, 4, 5, 678_900_000, time.FixedZone("CET", 3600))

func TestUint64(t *testing.T) {
	for _, c := range []struct {
		v    any
		want uint64
	}{
		{uint64(math.MaxUint64), math.MaxUint64},
		{int64(42), 42},
		{int64(-1), 0}, // negative numbers are 0, not wrapped
		{float64(3.9), 3},
		{float64(-2.5), 0},
		{"12345", 12345}, // a decimal string
		{"-3", 0},
		{"1e3", 0},
		{"", 0},
		{true, 0},
		{moment, 0},
		{nil, 0},
	} {
		if got := warehouse.Uint64(c.v); got != c.want {
			t.Errorf("Uint64(%#v) = %d, want %d", c.v, got, c.want)
		}
	}
}

func TestFloat(t *testing.T) {
	for _, c := range []struct {
		v    any
		want float64
		ok   bool
	}{
		{float64(-1.5), -1.5, true},
		{int64(-7), -7, true},
		{uint64(7), 7, true},
		{true, 1, true},
		{false, 0, true},
		{"2.5", 0, false}, // text is not a number
		{moment, 0, false},
		{nil, 0, false},
	} {
		if got, ok := warehouse.Float(c.v); got != c.want || ok != c.ok {
			t.Errorf("Float(%#v) = %v, %v, want %v, %v", c.v, got, ok, c.want, c.ok)
		}
	}
}

func TestString(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{"edge", "edge"},
		{"", ""},
		{nil, ""},
		{moment, "2026-11-22T12:04:05Z"}, // RFC 3339 in UTC
		{int64(-3), "-3"},
		{uint64(3), "3"},
		{float64(0.25), "0.25"},
		{true, "true"},
		{[]any{"a", uint64(1)}, "[a 1]"},
	} {
		if got := warehouse.String(c.v); got != c.want {
			t.Errorf("String(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestTime(t *testing.T) {
	epoch := time.Unix(0, 0).UTC()
	for _, c := range []struct {
		v    any
		want time.Time
	}{
		{moment, moment},
		{epoch, epoch}, // the epoch is a time (ingest reads it as unset itself)
		{"2026-11-22 12:04:05.678", time.Time{}},
		{int64(1), time.Time{}},
		{nil, time.Time{}},
	} {
		if got := warehouse.Time(c.v); !got.Equal(c.want) || got.IsZero() != c.want.IsZero() {
			t.Errorf("Time(%#v) = %v, want %v", c.v, got, c.want)
		}
	}
}

func TestTimeParam(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{moment, "2026-11-22 12:04:05.678"}, // UTC, milliseconds cut, not rounded
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "2026-01-02 03:04:05.000"},
		{time.Time{}, "0001-01-01 00:00:00.000"},
	} {
		if got := warehouse.TimeParam(c.t); got != c.want {
			t.Errorf("TimeParam(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}
