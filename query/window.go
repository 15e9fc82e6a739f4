package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is the time range a phrase asks about: [Since, Until).
type Window struct {
	Since, Until time.Time
	Label        string // how the asker said it: "last hour", "today", "since 10:00"
}

// maxWindow bounds a window so that a typo can't scan years of logs.
const maxWindow = 366 * 24 * time.Hour

// String renders the label with the range in loc, e.g.
// "last hour (10:05–11:05 UTC)".
func (w Window) String(loc *time.Location) string {
	s, u := w.Since.In(loc), w.Until.In(loc)
	zone := u.Format("MST")
	if s.YearDay() == u.YearDay() && s.Year() == u.Year() || u.Sub(s) <= 12*time.Hour {
		return fmt.Sprintf("%s (%s–%s %s)", w.Label, s.Format("15:04"), u.Format("15:04"), zone)
	}
	return fmt.Sprintf("%s (%s – %s %s)", w.Label, s.Format("Jan 2 15:04"), u.Format("Jan 2 15:04"), zone)
}

// ParseWindow reads a window from words (already lower-cased) at now in
// loc. No words is the default, the last `def`. It returns how many words
// it used; words it can't read are left for the caller to complain about.
func ParseWindow(words []string, now time.Time, loc *time.Location, def time.Duration) (Window, int, error) {
	now = now.In(loc)
	if len(words) == 0 {
		return lastWindow(now, def, durationLabel(def)), 0, nil
	}
	i := 0
	for i < len(words) && (words[i] == "in" || words[i] == "over" || words[i] == "during" || words[i] == "for" || words[i] == "the") {
		i++
	}
	if i == len(words) {
		return Window{}, 0, fmt.Errorf("%q: expected a window such as `last 15m`, `today` or `since 10:00`", strings.Join(words, " "))
	}
	w, n, err := parseWindowAt(words[i:], now, loc)
	if err != nil {
		return Window{}, 0, err
	}
	if w.Until.Sub(w.Since) > maxWindow {
		return Window{}, 0, fmt.Errorf("window %q is longer than a year", w.Label)
	}
	if !w.Until.After(w.Since) {
		return Window{}, 0, fmt.Errorf("window %q ends before it starts", w.Label)
	}
	return w, i + n, nil
}

func parseWindowAt(words []string, now time.Time, loc *time.Location) (Window, int, error) {
	switch words[0] {
	case "last", "past", "previous":
		d, n, err := parseDuration(words[1:])
		if err != nil {
			return Window{}, 0, err
		}
		return lastWindow(now, d, durationLabel(d)), 1 + n, nil
	case "today":
		day := midnight(now)
		return Window{Since: day.UTC(), Until: now.UTC(), Label: "today"}, 1, nil
	case "yesterday":
		day := midnight(now)
		return Window{Since: day.AddDate(0, 0, -1).UTC(), Until: day.UTC(), Label: "yesterday"}, 1, nil
	case "since":
		return parseSince(words[1:], now, loc)
	case "between", "from":
		return parseBetween(words, now, loc)
	}
	if d, err := compactDuration(words[0]); err == nil { // a bare "24h" means the last 24h
		return lastWindow(now, d, durationLabel(d)), 1, nil
	}
	return Window{}, 0, fmt.Errorf("%q is not a window: use `last 15m`, `last hour`, `last 24h`, `today`, `yesterday`, `since 10:00` or `between 2026-11-22 06:00 and 2026-11-22 12:00`", words[0])
}

func lastWindow(now time.Time, d time.Duration, label string) Window {
	return Window{Since: now.Add(-d).UTC(), Until: now.UTC(), Label: label}
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

func parseSince(words []string, now time.Time, loc *time.Location) (Window, int, error) {
	if len(words) == 0 {
		return Window{}, 0, fmt.Errorf("`since` needs a time: `since 10:00` or `since 2026-11-22 06:00`")
	}
	if words[0] == "yesterday" {
		w := Window{Since: midnight(now).AddDate(0, 0, -1).UTC(), Until: now.UTC(), Label: "since yesterday"}
		return w, 2, nil
	}
	t, n, err := parseInstant(words, now, now, loc)
	if err != nil {
		return Window{}, 0, err
	}
	if t.After(now) && n == 1 { // "since 23:00" at 01:00 means yesterday's 23:00
		t = t.AddDate(0, 0, -1)
	}
	return Window{Since: t.UTC(), Until: now.UTC(), Label: "since " + strings.Join(words[:n], " ")}, 1 + n, nil
}

func parseBetween(words []string, now time.Time, loc *time.Location) (Window, int, error) {
	a, n, err := parseInstant(words[1:], now, now, loc)
	if err != nil {
		return Window{}, 0, err
	}
	i := 1 + n
	if i >= len(words) || (words[i] != "and" && words[i] != "to" && words[i] != "until" && words[i] != "-") {
		return Window{}, 0, fmt.Errorf("`%s` needs two times: `between 2026-11-22 06:00 and 2026-11-22 12:00`", words[0])
	}
	b, m, err := parseInstant(words[i+1:], now, a, loc)
	if err != nil {
		return Window{}, 0, err
	}
	label := strings.Join(words[:i+1+m], " ")
	return Window{Since: a.UTC(), Until: b.UTC(), Label: label}, i + 1 + m, nil
}

// parseInstant reads "10:00", "2026-11-22", "2026-11-22 06:00" or
// "2026-11-22T06:00"; a bare clock time is on day's date.
func parseInstant(words []string, now, day time.Time, loc *time.Location) (time.Time, int, error) {
	if len(words) == 0 {
		return time.Time{}, 0, fmt.Errorf("expected a time such as 10:00 or 2026-11-22 06:00")
	}
	w := words[0]
	if c, ok := parseClock(w); ok {
		d := day.In(loc)
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).Add(c), 1, nil
	}
	for _, layout := range []string{"2006-01-02t15:04:05", "2006-01-02t15:04"} {
		if t, err := time.ParseInLocation(layout, w, loc); err == nil {
			return t, 1, nil
		}
	}
	t, err := time.ParseInLocation("2006-01-02", w, loc)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("%q is not a time: use 10:00 or 2026-11-22 06:00", w)
	}
	if len(words) > 1 {
		if c, ok := parseClock(words[1]); ok {
			return t.Add(c), 2, nil
		}
	}
	return t, 1, nil
}

// parseClock reads "10:00", "10:00:30" or "9:05".
func parseClock(s string) (time.Duration, bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	limits := []int{23, 59, 59}
	units := []time.Duration{time.Hour, time.Minute, time.Second}
	var d time.Duration
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > limits[i] || len(p) > 2 {
			return 0, false
		}
		d += time.Duration(n) * units[i]
	}
	return d, true
}
