package actions

import (
	"errors"
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

// parseFor reads a ban duration, 30m, 12h, 7d or 2w (Go durations too),
// and accepts it only when 0 < d <= limit. It cannot overflow: a count of
// days or weeks is compared with limit before it is multiplied, and
// time.ParseDuration refuses what does not fit. Each error names the
// accepted form and the limit.
func parseFor(s string, limit time.Duration) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	form := fmt.Sprintf("give a length up to %s, e.g. 30m, 24h, 7d, 2w", human(limit))
	d, tooLong, ok := readFor(s, limit)
	switch {
	case tooLong || ok && d > limit:
		return 0, fmt.Errorf("%q is longer than the longest ban, %s (edges.ban.max_for)", s, human(limit))
	case !ok:
		return 0, fmt.Errorf("%q is not a duration: %s", s, form)
	case d <= 0:
		return 0, fmt.Errorf("%q is not a positive duration: %s", s, form)
	}
	return d, nil
}

// readFor reads s as days, weeks or a Go duration; ok says it is one.
// tooLong says a count of days or weeks is past limit (d is then 0).
func readFor(s string, limit time.Duration) (d time.Duration, tooLong, ok bool) {
	if n := len(s); n > 1 {
		if u, isCount := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[n-1]]; isCount {
			return readCount(s[:n-1], u, limit)
		}
	}
	d, err := time.ParseDuration(s)
	return d, false, err == nil
}

// readCount reads digits as a count of unit u, refusing a count past
// limit before multiplying.
func readCount(digits string, u, limit time.Duration) (d time.Duration, tooLong, ok bool) {
	v, err := strconv.ParseUint(digits, 10, 64) // no sign: "-5d" is not a duration
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, true, true
	case err != nil:
		return 0, false, false
	case limit <= 0 || v > uint64(limit/u):
		return 0, v > 0, true
	}
	return time.Duration(v) * u, false, true
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
