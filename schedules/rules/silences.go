package rules

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// MaxSilence is the longest silence.
const MaxSilence = 30 * 24 * time.Hour

// Silences is the chat skill: `silence RULE 2h [reason]`, `silences`,
// `unsilence RULE`, for operators. Silences mute a rule's posts and pages
// (a resolved incident is still closed); they are recorded with who and why.
type Silences struct {
	store Store
	rules []string
	now   func() time.Time
}

var _ opsbot.Skill = (*Silences)(nil)

// NewSilences is the skill over the rules named.
func NewSilences(store Store, rules []Rule) *Silences {
	s := &Silences{store: store, now: time.Now}
	for _, r := range rules {
		s.rules = append(s.rules, r.Name)
	}
	sort.Strings(s.rules)
	return s
}

// Commands are silence, silences and unsilence.
func (s *Silences) Commands() []opsbot.Command {
	return []opsbot.Command{
		{Name: "silence", Usage: "silence RULE DURATION [reason]", Summary: "mute a health rule's posts and pages for a while",
			Role: opsbot.RoleOperator, Examples: []string{"silence 5xx-ratio 2h deploy of the API", "silence traffic-donate 30m maintenance"}},
		{Name: "silences", Usage: "silences", Summary: "list the active silences, with who and why", Role: opsbot.RoleOperator,
			Examples: []string{"silences"}},
		{Name: "unsilence", Usage: "unsilence RULE", Summary: "end a rule's silence", Role: opsbot.RoleOperator,
			Examples: []string{"unsilence 5xx-ratio"}},
	}
}

// Handle answers one of the three commands.
func (s *Silences) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	now := req.Now
	if now.IsZero() {
		now = s.now()
	}
	words := strings.Fields(req.Text)
	if len(words) == 0 {
		return s.usage("say `silence RULE 2h reason`"), nil
	}
	switch strings.ToLower(words[0]) {
	case "silence":
		return s.silence(ctx, req, words[1:], now)
	case "unsilence":
		return s.unsilence(ctx, req, words[1:], now)
	}
	return s.list(ctx, now)
}

func (s *Silences) silence(ctx context.Context, req *opsbot.Request, args []string, now time.Time) (*opsbot.Reply, error) {
	if len(args) < 2 {
		return s.usage("usage: `silence RULE DURATION [reason]`, e.g. `silence 5xx-ratio 2h deploy`"), nil
	}
	if r := s.rule(args[0]); r != nil {
		return r, nil
	}
	d, err := ParseDuration(args[1])
	if err != nil {
		return s.usage(fmt.Sprintf("%q is not a duration: use 30m, 2h or 1d (at most 30d)", args[1])), nil
	}
	sil := Silence{Rule: args[0], Created: now, Until: now.Add(d), By: req.User, Reason: strings.Join(args[2:], " ")}
	if err := s.store.AddSilence(ctx, sil); err != nil {
		return nil, err
	}
	why := sil.Reason
	if why == "" {
		why = "no reason given"
	}
	return &opsbot.Reply{Title: fmt.Sprintf("Silenced %s for %s, until %s", sil.Rule, Dur(d), sil.Until.UTC().Format("2006-01-02 15:04 UTC")),
		Text: fmt.Sprintf("by %s: %s. Its warnings and pages are muted; it still evaluates. `unsilence %s` ends it.", who(req.User), why, sil.Rule)}, nil
}

func (s *Silences) unsilence(ctx context.Context, req *opsbot.Request, args []string, now time.Time) (*opsbot.Reply, error) {
	if len(args) != 1 {
		return s.usage("usage: `unsilence RULE`"), nil
	}
	if r := s.rule(args[0]); r != nil {
		return r, nil
	}
	n, err := s.store.Unsilence(ctx, args[0], req.User, now)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return &opsbot.Reply{Title: args[0] + " is not silenced", Ephemeral: true}, nil
	}
	return &opsbot.Reply{Title: fmt.Sprintf("Unsilenced %s (by %s)", args[0], who(req.User))}, nil
}

func (s *Silences) list(ctx context.Context, now time.Time) (*opsbot.Reply, error) {
	ss, err := s.store.Silences(ctx, now)
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return &opsbot.Reply{Title: "No active silences"}, nil
	}
	res := &opsbot.Result{Columns: []opsbot.Column{{Name: "rule", Type: "String"}, {Name: "until", Type: "DateTime"},
		{Name: "left", Type: "String"}, {Name: "by", Type: "String"}, {Name: "reason", Type: "String"}}}
	for _, x := range ss {
		res.Rows = append(res.Rows, []any{x.Rule, x.Until.UTC(), Dur(x.Until.Sub(now).Round(time.Minute)), who(x.By), x.Reason})
	}
	return &opsbot.Reply{Title: fmt.Sprintf("%d active silence(s)", len(ss)), Table: res}, nil
}

// rule is nil for a known rule, else the refusal listing the known ones.
func (s *Silences) rule(name string) *opsbot.Reply {
	for _, r := range s.rules {
		if r == name {
			return nil
		}
	}
	return s.usage(fmt.Sprintf("no health rule %q; rules: %s", name, strings.Join(s.rules, ", ")))
}

func (s *Silences) usage(msg string) *opsbot.Reply {
	return &opsbot.Reply{Title: msg, Ephemeral: true}
}

func who(u opsbot.User) string {
	if u.Name != "" && u.Name != u.ID {
		return u.Name + " (" + u.ID + ")"
	}
	return u.ID
}

// ParseDuration reads 30m, 2h, 1h30m or 2d; it must be positive and at
// most MaxSilence.
func ParseDuration(s string) (time.Duration, error) {
	var d time.Duration
	var err error
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		days, err = strconv.Atoi(n)
		d = time.Duration(days) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 || d > MaxSilence {
		return 0, opsbot.Invalidf("duration %q", s)
	}
	return d, nil
}
