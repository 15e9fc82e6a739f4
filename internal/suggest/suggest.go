// Package suggest finds what a mistyped word or phrase was meant to be: the
// candidate nearest by edit distance, when it is near enough to be a typo.
// One rule for every caller (the bot's unknown commands, the query
// grammar's keywords and example phrases): at most one edit per three runes
// typed, rounded to the nearest, so "ipz" may be "ip" and "slowset"
// "slowest", but "/foo" is never "for".
package suggest

import (
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// Distance is the Levenshtein edit distance between a and b, in runes.
func Distance(a, b string) int { return levenshtein.ComputeDistance(a, b) }

// Limit is how many edits typed may be away from what it meant.
func Limit(typed string) int { return (utf8.RuneCountInString(typed) + 1) / 3 }

// Near says whether typed is close enough to cand to be a typo of it
// (letter case aside).
func Near(typed, cand string) bool {
	return Distance(strings.ToLower(typed), strings.ToLower(cand)) <= Limit(typed)
}

// Nearest is the candidate closest to typed (the first of equals, letter
// case aside), if it is Near.
func Nearest(typed string, cands []string) (string, bool) {
	low := strings.ToLower(typed)
	best, bestD := "", -1
	for _, c := range cands {
		if d := Distance(low, strings.ToLower(c)); bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > Limit(typed) {
		return "", false
	}
	return best, true
}
