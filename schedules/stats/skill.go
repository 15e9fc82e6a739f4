package stats

import (
	"context"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/query"
)

// Skill answers `stats [WINDOW]` in chat: the last full week with its
// trends by default (read from org_stats, nothing stored), or any window
// against the one just before it.
type Skill struct {
	s   *Stats
	now func() time.Time
}

var _ opsbot.Skill = (*Skill)(nil)

// Skill returns the chat command.
func (s *Stats) Skill() *Skill { return &Skill{s: s, now: time.Now} }

// Commands is stats.
func (k *Skill) Commands() []opsbot.Command {
	return []opsbot.Command{{Name: "stats", Usage: "stats [week|WINDOW]", Role: opsbot.RoleReader,
		Summary:  "general statistics about the organization: traffic, engineering, infrastructure, opsbot; the last full week with trends, or any window",
		Examples: []string{"stats", "stats last 24h", "stats last 30d"}}}
}

// Handle answers stats.
func (k *Skill) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	now := req.Now
	if now.IsZero() {
		now = k.now()
	}
	w, err := k.window(strings.Fields(strings.ToLower(req.Text))[1:], now)
	if err != nil {
		return &opsbot.Reply{Ephemeral: true, Title: "stats: " + opsbot.ErrorText(err),
			Text: "Try `stats` (the last full week), `stats last 24h` or `stats last 30d`."}, nil
	}
	start := time.Now()
	reply := Render(k.s.Build(ctx, w, now, false))
	reply.Took = time.Since(start)
	return &reply, nil
}

// window reads the words after "stats": none or "week" is the last full
// week, anything else a window as the query phrases read it.
func (k *Skill) window(words []string, now time.Time) (Window, error) {
	if len(words) == 0 || len(words) == 1 && words[0] == "week" || strings.Join(words, " ") == "last week" {
		return LastWeek(now, k.s.o.Location), nil
	}
	qw, n, err := query.ParseWindow(words, now, k.s.o.Location, 7*24*time.Hour)
	if err != nil {
		return Window{}, opsbot.Invalidf("%v", err)
	}
	if n < len(words) {
		return Window{}, opsbot.Invalidf("%q is not part of a window", strings.Join(words[n:], " "))
	}
	return Window{Kind: Adhoc, Since: qw.Since.UTC(), Until: qw.Until.UTC(), Label: qw.Label}, nil
}
