package query

import (
	"strings"
	"testing"
	"time"
)

func TestParseWindow(t *testing.T) {
	now := time.Date(2026, 11, 22, 11, 5, 30, 0, time.UTC)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { t, _ := time.Parse("2006-01-02 15:04:05", s); return t }
	for _, c := range []struct {
		in           string
		loc          *time.Location
		since, until string
		label        string
	}{
		{"", time.UTC, "2026-11-22 10:05:30", "2026-11-22 11:05:30", "last hour (10:05–11:05 UTC)"},
		{"last 15m", time.UTC, "2026-11-22 10:50:30", "2026-11-22 11:05:30", "last 15m (10:50–11:05 UTC)"},
		{"last hour", time.UTC, "2026-11-22 10:05:30", "2026-11-22 11:05:30", "last hour (10:05–11:05 UTC)"},
		{"in the last 2 hours", time.UTC, "2026-11-22 09:05:30", "2026-11-22 11:05:30", "last 2h (09:05–11:05 UTC)"},
		{"last 24h", time.UTC, "2026-11-21 11:05:30", "2026-11-22 11:05:30", "last 24h (Nov 21 11:05 – Nov 22 11:05 UTC)"},
		{"24h", time.UTC, "2026-11-21 11:05:30", "2026-11-22 11:05:30", "last 24h (Nov 21 11:05 – Nov 22 11:05 UTC)"},
		{"for 15m", time.UTC, "2026-11-22 10:50:30", "2026-11-22 11:05:30", "last 15m (10:50–11:05 UTC)"},
		{"last day", time.UTC, "2026-11-21 11:05:30", "2026-11-22 11:05:30", "last 24h (Nov 21 11:05 – Nov 22 11:05 UTC)"},
		{"past 7d", time.UTC, "2026-11-15 11:05:30", "2026-11-22 11:05:30", "last 7d (Nov 15 11:05 – Nov 22 11:05 UTC)"},
		{"last 1h30m", time.UTC, "2026-11-22 09:35:30", "2026-11-22 11:05:30", "last 1h30m (09:35–11:05 UTC)"},
		{"today", time.UTC, "2026-11-22 00:00:00", "2026-11-22 11:05:30", "today (00:00–11:05 UTC)"},
		{"yesterday", time.UTC, "2026-11-21 00:00:00", "2026-11-22 00:00:00", "yesterday (Nov 21 00:00 – Nov 22 00:00 UTC)"},
		{"since 10:00", time.UTC, "2026-11-22 10:00:00", "2026-11-22 11:05:30", "since 10:00 (10:00–11:05 UTC)"},
		{"since 23:00", time.UTC, "2026-11-21 23:00:00", "2026-11-22 11:05:30", "since 23:00 (Nov 21 23:00 – Nov 22 11:05 UTC)"},
		{"since 2026-11-20 06:00", time.UTC, "2026-11-20 06:00:00", "2026-11-22 11:05:30", ""},
		{"between 2026-11-22 06:00 and 2026-11-22 12:00", time.UTC, "2026-11-22 06:00:00", "2026-11-22 12:00:00", "between 2026-11-22 06:00 and 2026-11-22 12:00 (06:00–12:00 UTC)"},
		{"between 2026-11-20 and 2026-11-21", time.UTC, "2026-11-20 00:00:00", "2026-11-21 00:00:00", ""},
		{"from 06:00 to 08:30", time.UTC, "2026-11-22 06:00:00", "2026-11-22 08:30:00", ""},
		{"today", paris, "2026-11-21 23:00:00", "2026-11-22 11:05:30", "today (00:00–12:05 CET)"},
		{"since 10:00", paris, "2026-11-22 09:00:00", "2026-11-22 11:05:30", "since 10:00 (10:00–12:05 CET)"},
		{"yesterday", paris, "2026-11-20 23:00:00", "2026-11-21 23:00:00", ""},
	} {
		w, n, err := ParseWindow(strings.Fields(c.in), now, c.loc, time.Hour)
		if err != nil || n != len(strings.Fields(c.in)) {
			t.Errorf("%q: %v (used %d words)", c.in, err, n)
			continue
		}
		if !w.Since.Equal(at(c.since)) || !w.Until.Equal(at(c.until)) {
			t.Errorf("%q in %s: %v – %v, want %s – %s", c.in, c.loc, w.Since, w.Until, c.since, c.until)
		}
		if c.label != "" && w.String(c.loc) != c.label {
			t.Errorf("%q: label %q, want %q", c.in, w.String(c.loc), c.label)
		}
	}
}

func TestParseWindowRefusesNonsense(t *testing.T) {
	now := time.Date(2026, 11, 22, 11, 5, 0, 0, time.UTC)
	for in, want := range map[string]string{
		"last":                    "needs a length",
		"last 5 parsecs":          "not a length of time",
		"last 0m":                 "not a length of time",
		"last 3000d":              "longer than a year",
		"since":                   "needs a time",
		"since 25:00":             "not a time",
		"between 10:00":           "needs two times",
		"between 12:00 and 10:00": "ends before it starts",
		"tomorrow":                "not a window",
		"'; DROP TABLE requests":  "not a window",
	} {
		_, _, err := ParseWindow(strings.Fields(in), now, time.UTC, time.Hour)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}
