package bot

import (
	"strings"
)

// Strip removes what addresses the bot from a command: a leading mention
// ("<@U123>" or "<@U123|opsbot>", only botUserID's when it is set) and a
// leading "opsbot" word (any case, optionally followed by ":" or ","), and
// collapses runs of white space. "  <@U1>  OpsBot:  top   4XX by ip" becomes
// "top 4XX by ip".
func Strip(text, botUserID string) string {
	rest, _ := Addressed(text, botUserID)
	return rest
}

// Addressed reports whether text is addressed to the bot (starts with its
// mention or with the word "opsbot") and returns it without that trigger,
// white space collapsed.
func Addressed(text, botUserID string) (string, bool) {
	words := strings.Fields(text)
	addressed := false
	for len(words) > 0 {
		if w, ok := stripMention(words[0], botUserID); ok {
			addressed = true
			words = replaceFirst(words, w)
			continue
		}
		if w, ok := stripName(words[0]); ok {
			addressed = true
			words = replaceFirst(words, w)
			continue
		}
		break
	}
	return strings.Join(words, " "), addressed
}

// replaceFirst drops words[0] or replaces it with what followed the trigger
// in the same word ("<@U1>top").
func replaceFirst(words []string, rest string) []string {
	if rest == "" {
		return words[1:]
	}
	words[0] = rest
	return words
}

func stripMention(w, botUserID string) (string, bool) {
	if !strings.HasPrefix(w, "<@") {
		return "", false
	}
	end := strings.IndexByte(w, '>')
	if end < 0 {
		return "", false
	}
	id, _, _ := strings.Cut(w[2:end], "|")
	if botUserID != "" && !strings.EqualFold(id, botUserID) {
		return "", false
	}
	return strings.TrimLeft(w[end+1:], ":,"), true
}

func stripName(w string) (string, bool) {
	const name = "opsbot"
	if len(w) < len(name) || !strings.EqualFold(w[:len(name)], name) {
		return "", false
	}
	rest := w[len(name):]
	if rest != "" && strings.TrimLeft(rest, ":,") == rest {
		return "", false // "opsbots", "opsbotx": another word
	}
	return strings.TrimLeft(rest, ":,"), true
}

func firstWord(text string) string {
	w, _, _ := strings.Cut(strings.TrimSpace(text), " ")
	return w
}
