package actions

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// parseFor reads a ban duration: 30m, 12h, 7d, 2w (Go durations too).
func parseFor(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		v, err := strconv.Atoi(s[:n-1])
		if err != nil || v <= 0 {
			return 0, fmt.Errorf("%q is not a duration (e.g. 30m, 24h, 7d)", s)
		}
		day := 24 * time.Hour
		if s[n-1] == 'w' {
			day *= 7
		}
		return time.Duration(v) * day, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a duration (e.g. 30m, 24h, 7d)", s)
	}
	return d, nil
}

// human renders a duration the way people type it.
func human(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

func who(id, name string) string {
	if name == "" {
		return id
	}
	return name + " (" + id + ")"
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04Z") }
