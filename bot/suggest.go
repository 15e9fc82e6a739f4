package bot

import (
	"fmt"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/suggest"
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

// closest picks the command example (or a command name put in place of a
// misspelt first word) nearest to text, when it is near enough to be a
// plausible typo.
func (b *Bot) closest(text string) string {
	word, rest := firstWord(text), strings.Fields(text)[1:]
	var cands []string
	for _, c := range b.Commands() {
		if suggest.Near(word, c.Name) {
			cands = append(cands, strings.Join(append([]string{c.Name}, rest...), " "))
		}
		cands = append(cands, c.Examples...)
	}
	s, _ := suggest.Nearest(text, cands)
	return s
}
