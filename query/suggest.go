package query

import (
	"strings"
	"time"

	"github.com/opsbot/opsbot/internal/suggest"
)

// vocabulary is every one-word keyword of the grammar, for spelling fixes.
func vocabulary() []string {
	v := []string{"by", "for", "on", "last", "hour", "today", "yesterday", "since", "between", "and", "paths",
		"requests", "errors", "bytes", "slow", "4xx", "5xx", "mix", "day"}
	for _, c := range commands {
		v = append(v, c.Name)
	}
	for _, d := range Dimensions {
		for _, w := range d.Words {
			if !strings.Contains(w, " ") {
				v = append(v, w)
			}
		}
	}
	return v
}

// Suggest proposes the phrase text probably meant ("top 4xx by ip" for
// "tpo 4xx ips"), or "" when nothing is close. It fixes misspelt keywords,
// adds a missing "top", drops words the grammar doesn't know, and falls
// back to the nearest example phrase. It never runs a query.
func (e *Engine) Suggest(text string) string {
	orig, low := words(text)
	if len(low) == 0 {
		return ""
	}
	fixed, known := make([]string, len(low)), make([]string, 0, len(low))
	vocab := vocabulary()
	for i, w := range low {
		fixed[i] = orig[i]
		if k, ok := suggest.Nearest(w, vocab); ok {
			fixed[i] = k
			known = append(known, k)
		} else if isValue(orig[i]) {
			known = append(known, orig[i])
		}
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range [][]string{fixed, append([]string{"top"}, fixed...), known, append([]string{"top"}, known...)} {
		if p := strings.Join(c, " "); len(c) > 1 && e.parses(p, now) {
			return p
		}
	}
	// A bad tail ("since 25:00", "for 10.0.0.0/33"): the phrase without it
	// keeps what was asked, closer than any example.
	for n := len(known) - 1; n > 1; n-- {
		if p := strings.Join(known[:n], " "); e.parses(p, now) {
			return p
		}
	}
	return e.nearestExample(strings.Join(low, " "))
}

func (e *Engine) parses(phrase string, now time.Time) bool {
	_, err := e.Plan(phrase, now)
	return err == nil
}

// isValue says whether a word looks like a value the grammar takes.
func isValue(w string) bool {
	return strings.HasPrefix(w, "/") || validPrefix(w) || statusWord(strings.ToLower(w)) ||
		hostRe.MatchString(strings.ToLower(w)) || w[0] >= '0' && w[0] <= '9'
}

func (e *Engine) nearestExample(text string) string {
	var ex []string
	for _, c := range commands {
		ex = append(ex, c.Examples...)
	}
	s, _ := suggest.Nearest(text, ex)
	return s
}
