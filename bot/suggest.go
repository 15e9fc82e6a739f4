package bot

import (
	"fmt"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/opsbot/opsbot"
)

// unknown answers text whose first word is no command, with a suggestion.
func (b *Bot) unknown(text string) *opsbot.Reply {
	msg := fmt.Sprintf("unknown command %q", firstWord(text))
	if s := b.suggest(text); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else {
		msg += "."
	}
	return &opsbot.Reply{Text: msg + " Type `help` for the list.", Ephemeral: true}
}

// suggest asks the Suggester, then falls back to the closest command name
// or example by edit distance.
func (b *Bot) suggest(text string) string {
	if b.opts.Suggester != nil {
		if s := b.opts.Suggester.Suggest(text); s != "" {
			return s
		}
	}
	return b.closest(strings.ToLower(text))
}

// closest picks the command example (or name) nearest to text, when it is
// near enough to be a plausible typo.
func (b *Bot) closest(text string) string {
	best, bestD := "", -1
	consider := func(cand string) {
		d := distance(text, strings.ToLower(cand))
		if bestD < 0 || d < bestD {
			best, bestD = cand, d
		}
	}
	word := firstWord(text)
	for _, c := range b.Commands() {
		if distance(word, c.Name) <= 2 && len(word) > 1 {
			consider(strings.Join(append([]string{c.Name}, strings.Fields(text)[1:]...), " "))
		}
		for _, e := range c.Examples {
			consider(e)
		}
	}
	limit := len([]rune(text))/3 + 1
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// distance is the Levenshtein edit distance between a and b, in runes.
func distance(a, b string) int { return levenshtein.ComputeDistance(a, b) }
