package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var unitWords = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// parseDuration reads "15m", "1h30m", "hour", "24 hours", "2 days", "7d"
// and returns how many words it used.
func parseDuration(words []string) (time.Duration, int, error) {
	if len(words) == 0 {
		return 0, 0, fmt.Errorf("`last` needs a length: `last 15m`, `last hour`, `last 24h`")
	}
	if u, ok := unitWords[words[0]]; ok && len(words[0]) > 1 { // "last hour"
		return u, 1, nil
	}
	if n, err := strconv.Atoi(words[0]); err == nil && len(words) > 1 { // "last 24 hours"
		if u, ok := unitWords[words[1]]; ok && n > 0 {
			return time.Duration(n) * u, 2, nil
		}
	}
	d, err := compactDuration(words[0])
	if err != nil {
		return 0, 0, err
	}
	return d, 1, nil
}

// compactDuration reads "15m", "24h", "7d", "1h30m".
func compactDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a length of time: use 15m, 2h, 24h or 7d", s)
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		j := i
		for j < len(s) && (s[j] < '0' || s[j] > '9') {
			j++
		}
		n, err := strconv.Atoi(s[:i])
		u, ok := unitWords[s[i:j]]
		if err != nil || !ok || n <= 0 || n > 100_000 {
			return 0, bad
		}
		total += time.Duration(n) * u
		s = s[j:]
	}
	if total <= 0 {
		return 0, bad
	}
	return total, nil
}

// durationLabel names a length the way people say it: "hour", "15m", "24h".
func durationLabel(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "last hour"
	case d == 24*time.Hour:
		return "last 24h"
	case d%(24*time.Hour) == 0 && d > 24*time.Hour:
		return fmt.Sprintf("last %dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("last %dh", d/time.Hour)
	case d%time.Minute == 0 && d < time.Hour:
		return fmt.Sprintf("last %dm", d/time.Minute)
	}
	s := strings.TrimSuffix(d.String(), "0s") // "1h30m0s" → "1h30m"
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return "last " + s
}
