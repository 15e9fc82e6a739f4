package infra

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxWindow is the longest `instances` window.
const MaxWindow = 90 * 24 * time.Hour

var windowUnits = map[string]time.Duration{
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// ParseWindow reads "last 1h", "1h", "last 2 days", "last hour", "30m"
// (words, without the command). Empty words give def.
func ParseWindow(words []string, def time.Duration) (time.Duration, error) {
	if len(words) > 0 && strings.EqualFold(words[0], "last") {
		words = words[1:]
	}
	if len(words) == 0 {
		return def, nil
	}
	s := strings.ToLower(strings.Join(words, ""))
	if d, ok := windowUnits[s]; ok { // "last hour"
		return d, nil
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	unit, ok := windowUnits[s[i:]]
	if err != nil || !ok || n <= 0 {
		return 0, fmt.Errorf("can't read the window %q: use a number and a unit, e.g. last 1h, last 30m, last 7d", strings.Join(words, " "))
	}
	d := time.Duration(n) * unit
	if d > MaxWindow {
		return 0, fmt.Errorf("the window %q is longer than %d days", strings.Join(words, " "), MaxWindow/(24*time.Hour))
	}
	return d, nil
}
