package feeds

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// Roles says what a person may do (the bot's authorizer): `feeds test`
// posts to rooms and needs an operator.
type Roles interface {
	Role(ctx context.Context, u opsbot.User, channel string) opsbot.Role
}

// Skill answers `feeds` and `feeds test NAME`.
type Skill struct {
	h     *Hub
	roles Roles
}

var _ opsbot.Skill = (*Skill)(nil)

// Skill returns the chat command; roles may be nil (everyone is a reader).
func (h *Hub) Skill(roles Roles) *Skill { return &Skill{h: h, roles: roles} }

// Commands is feeds.
func (s *Skill) Commands() []opsbot.Command {
	return []opsbot.Command{{Name: "feeds", Usage: "feeds | feeds test NAME", Role: opsbot.RoleReader,
		Summary:  "the feeds (pull requests, tickets, watched accounts): health and last item; `feeds test NAME` posts its latest item as a preview (operators)",
		Examples: []string{"feeds", "feeds test web-prs"}}}
}

// Handle lists the sources or previews one.
func (s *Skill) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	words := strings.Fields(req.Text)
	switch {
	case len(words) == 1:
		return s.list(ctx), nil
	case len(words) == 3 && strings.EqualFold(words[1], "test"):
		return s.test(ctx, req, words[2])
	}
	return &opsbot.Reply{Title: "Feeds", Text: "Try `feeds` or `feeds test NAME`.", Ephemeral: true}, nil
}

func (s *Skill) list(ctx context.Context) *opsbot.Reply {
	res := &opsbot.Result{Columns: []opsbot.Column{{Name: "source", Type: "String"}, {Name: "kind", Type: "String"},
		{Name: "health", Type: "String"}, {Name: "last item", Type: "String"}, {Name: "at", Type: "String"}}}
	for _, n := range s.h.names {
		hl := s.h.snapshot(n)
		last, at := "", hl.lastAt
		if at.IsZero() { // nothing since this process started: the newest recorded
			if it, ok, err := s.h.o.Store.Latest(ctx, n); err == nil && ok {
				hl.last, hl.lastAt, at = it, it.Time, it.Time
			}
		}
		if !hl.lastAt.IsZero() {
			last = hl.last.Headline()
		}
		res.Rows = append(res.Rows, []any{n, s.h.sources[n].Kind, s.h.healthText(n, hl), last, stamp(at)})
	}
	if len(res.Rows) == 0 {
		return &opsbot.Reply{Title: "Feeds", Text: "No feeds are configured (the `feeds:` section of opsbot.yaml)."}
	}
	return &opsbot.Reply{Title: fmt.Sprintf("Feeds (%d)", len(res.Rows)), Table: res,
		Context: "`feeds test NAME` posts a source's latest item as a preview"}
}

func (h *Hub) snapshot(name string) health {
	h.pmu.Lock()
	defer h.pmu.Unlock()
	return *h.health[name]
}

func (h *Hub) healthText(name string, hl health) string {
	switch {
	case hl.failing:
		return fmt.Sprintf("failing since %s (%d tries): %s; next try %s", stamp(hl.since), hl.failures, hl.reason, stamp(hl.next))
	case h.sources[name].Poller == nil:
		return "webhook"
	case hl.polled.IsZero():
		return "not polled yet"
	}
	return "ok, polled " + stamp(hl.polled)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("15:04 UTC")
}

// test posts the source's latest recorded item to each room it routes to,
// marked as a preview, without recording it as posted.
func (s *Skill) test(ctx context.Context, req *opsbot.Request, name string) (*opsbot.Reply, error) {
	if s.roles != nil && s.roles.Role(ctx, req.User, req.Channel) < opsbot.RoleOperator {
		return &opsbot.Reply{Title: "Feeds", Text: "`feeds test` posts to rooms and needs the operator role.", Ephemeral: true}, nil
	}
	src, ok := s.h.sources[name]
	if !ok {
		return &opsbot.Reply{Title: "Feeds", Text: fmt.Sprintf("No feed %q. `feeds` lists them.", name), Ephemeral: true}, nil
	}
	it, ok, err := s.h.latest(ctx, src)
	if err != nil {
		return &opsbot.Reply{Title: "Feeds", Text: fmt.Sprintf("Feed %s: %s", name, opsbot.ErrorText(err)), Ephemeral: true}, nil
	}
	if !ok {
		return &opsbot.Reply{Title: "Feeds", Text: fmt.Sprintf("Feed %s has no item yet.", name), Ephemeral: true}, nil
	}
	rooms := Rooms(src.Routes, it)
	r := s.h.single(row{Source: name, Item: it})
	r.Context += " · preview from `feeds test` by " + req.User.Name
	for _, room := range rooms {
		if err := s.h.say(ctx, room, r); err != nil {
			return nil, fmt.Errorf("post preview to %s: %w", room, err)
		}
	}
	if len(rooms) == 0 {
		return &opsbot.Reply{Title: "Preview (no route takes it)", Text: r.Text, Context: r.Context}, nil
	}
	return &opsbot.Reply{Title: "Feeds", Text: fmt.Sprintf("Posted the latest item of %s to %s as a preview.", name, strings.Join(rooms, ", "))}, nil
}

// latest is the newest item src recorded or, for a polled source that
// recorded none, the newest it has now (read without moving its cursor).
func (h *Hub) latest(ctx context.Context, src *Source) (Item, bool, error) {
	it, ok, err := h.o.Store.Latest(ctx, src.Name)
	if err != nil || ok || src.Poller == nil {
		return it, ok, err
	}
	items, _, err := src.Poller.Poll(ctx, Cursor{})
	items = uniqueBounded(items)
	if err != nil || len(items) == 0 {
		return Item{}, false, err
	}
	return items[len(items)-1], true, nil
}
