package feeds

import (
	"path"
	"slices"
	"strings"
)

// Route sends a source's items whose scope matches to a room, when they
// pass every filter set. Empty filters pass everything.
type Route struct {
	Scope    string   // a repository, project or account; a path.Match pattern ("acme/*"); "" for all
	Room     string   // "#eng-prs" or a channel ID
	Events   []string // only these events ("opened", "ready for review", "merged" …)
	Labels   []string // at least one of these labels
	Base     []string // PRs into one of these base branches
	Drafts   string   // "include" (default), "exclude" or "only"
	Priority []string // tickets of one of these priorities
	Keywords []string // title or text contains one of these (case-insensitive)
	Replies  bool     // posts answering another post pass too
	Reposts  bool     // posts shared from another account pass too
}

// Match reports whether r takes it.
func (r Route) Match(it Item) bool {
	if r.Scope != "" && !scopeMatch(r.Scope, it.Scope) {
		return false
	}
	return anyOf(r.Events, it.Event) && overlaps(r.Labels, it.Labels) && anyOf(r.Base, it.Base) &&
		anyOf(r.Priority, it.Priority) && drafts(r.Drafts, it) && keywords(r.Keywords, it) &&
		(r.Replies || !it.Reply) && (r.Reposts || !it.Repost)
}

func scopeMatch(pattern, scope string) bool {
	if strings.EqualFold(pattern, scope) {
		return true
	}
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(scope))
	return ok && err == nil
}

func anyOf(want []string, v string) bool {
	return len(want) == 0 || slices.ContainsFunc(want, func(w string) bool { return strings.EqualFold(w, v) })
}

func overlaps(want, have []string) bool {
	return len(want) == 0 || slices.ContainsFunc(have, func(h string) bool { return anyOf(want, h) })
}

func drafts(mode string, it Item) bool {
	switch mode {
	case "exclude":
		return !it.Draft
	case "only":
		return it.Draft
	}
	return true
}

func keywords(words []string, it Item) bool {
	hay := strings.ToLower(it.Title + "\n" + it.Text)
	return len(words) == 0 || slices.ContainsFunc(words, func(w string) bool { return strings.Contains(hay, strings.ToLower(w)) })
}

// Rooms are the rooms it goes to through routes, each once, in order.
func Rooms(routes []Route, it Item) []string {
	var out []string
	for _, r := range routes {
		if r.Match(it) && !slices.Contains(out, r.Room) {
			out = append(out, r.Room)
		}
	}
	return out
}
