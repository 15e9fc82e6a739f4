package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
)

// Pager wakes a service's on-call (pager.Router implements it).
type Pager interface {
	Notify(ctx context.Context, p opsbot.Page) error
}

// Sender says notices out loud. Dispatcher posts and pages for real;
// Printer prints what would be said (--dry-run).
type Sender interface {
	Post(ctx context.Context, level opsbot.Level, thread string, r opsbot.Reply) (string, error)
	Page(ctx context.Context, p opsbot.Page, thread string) error
}

// Dispatcher posts to the room of each level and pages; a page that fails
// falls back to an @here in the page room that says so.
type Dispatcher struct {
	Poster opsbot.Poster // nil: notices go to the log only
	Pager  Pager         // nil: every page falls back to @here
	Rooms  config.Rooms
	Log    *slog.Logger
}

var _ Sender = (*Dispatcher)(nil)

// Room is the room of level l.
func Room(rooms config.Rooms, l opsbot.Level) string {
	switch l {
	case opsbot.LevelWarn:
		return rooms.Warn
	case opsbot.LevelPage:
		return rooms.Page
	}
	return rooms.Audit
}

// Post puts r in the room of level (in thread when set).
func (d *Dispatcher) Post(ctx context.Context, level opsbot.Level, thread string, r opsbot.Reply) (string, error) {
	room := Room(d.Rooms, level)
	if d.Poster == nil {
		d.log().Info("notice (no poster)", "room", room, "thread", thread, "title", r.Title, "text", r.Text)
		return "", nil
	}
	ts, err := d.Poster.Post(ctx, opsbot.Message{Channel: room, Thread: thread, Reply: r})
	if err != nil {
		return "", fmt.Errorf("post to %s: %w", room, err)
	}
	return ts, nil
}

// Page sends p to the pager. When the pager fails, a trigger becomes an
// @here in the page room (in thread) saying the on-call was not paged;
// the pager's error is returned either way.
func (d *Dispatcher) Page(ctx context.Context, p opsbot.Page, thread string) error {
	if thread != "" { // where the warning is, for the responder
		details := map[string]string{"slack_thread": Room(d.Rooms, opsbot.LevelPage) + " " + thread}
		for k, v := range p.Details {
			details[k] = v
		}
		p.Details = details
	}
	err := errors.New("no pager configured (pager.services)")
	if d.Pager != nil {
		err = d.Pager.Notify(ctx, p)
	}
	if err == nil {
		return nil
	}
	d.log().Error("page failed", "service", p.Service, "action", p.Action, "err", err)
	r := opsbot.Reply{
		Title: fmt.Sprintf("PAGE for %s: the pager failed, the on-call was NOT paged by it. This message is the page.", p.Service),
		Text:  p.Summary + "\n\npager error: " + err.Error(),
		Here:  true,
	}
	if p.Action == opsbot.PageResolve {
		r = opsbot.Reply{Title: fmt.Sprintf("Could not resolve the %s incident %s at the pager: close it by hand", p.Service, p.DedupKey),
			Text: "pager error: " + err.Error()}
	}
	if _, perr := d.Post(ctx, opsbot.LevelPage, thread, r); perr != nil {
		return fmt.Errorf("page %s: %w; and the @here fallback failed: %w", p.Service, err, perr)
	}
	return fmt.Errorf("page %s: %w (fell back to @here in %s)", p.Service, err, d.Rooms.Page)
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Log == nil {
		return slog.Default()
	}
	return d.Log
}

// Notify says one job notice: posted to its level's room, and for
// LevelPage also paged (dedup key opsbot-KEY).
func Notify(ctx context.Context, s Sender, job string, n opsbot.Notice) error {
	ts, err := s.Post(ctx, n.Level, "", n.Reply)
	if n.Level != opsbot.LevelPage {
		return err
	}
	summary := strings.TrimSpace(n.Reply.Title + "\n" + n.Reply.Text)
	key := n.Key
	if key == "" {
		key = job
	}
	perr := s.Page(ctx, opsbot.Page{Service: n.Service, Action: opsbot.PageTrigger, DedupKey: "opsbot-" + key,
		Summary: summary, Severity: "critical", Source: "opsbot job " + job}, ts)
	return errors.Join(err, perr)
}
