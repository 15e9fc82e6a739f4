package feeds

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// Flush posts what is pending: one message per room, the item itself when
// it is alone, a list when several came in the same minute. A room whose
// post fails keeps its items for the next flush.
func (h *Hub) Flush(ctx context.Context) {
	h.pmu.Lock()
	pending := h.pending
	h.pending = map[string][]row{}
	h.pmu.Unlock()
	for _, room := range slices.Sorted(maps.Keys(pending)) {
		rows := pending[room]
		if err := h.post(ctx, room, rows); err != nil {
			h.o.Log.Warn("feeds: post failed; kept for the next minute", "room", room, "items", len(rows), "err", err)
			h.pmu.Lock()
			h.pending[room] = append(rows, h.pending[room]...)
			h.pmu.Unlock()
		}
	}
}

func (h *Hub) post(ctx context.Context, room string, rows []row) error {
	r := h.single(rows[0])
	if len(rows) > 1 {
		r = h.group(rows)
	}
	if err := h.say(ctx, room, r); err != nil {
		return err
	}
	done := make([]row, len(rows))
	for i, x := range rows {
		x.State = statePosted
		done[i] = x
	}
	// Posted: never again this process, whatever the record says; a record
	// that failed leaves them pending, posted again only after a restart.
	if err := h.o.Store.Put(context.WithoutCancel(ctx), h.o.Clock.Now(), done); err != nil {
		h.o.Log.Error("feeds: posted items not recorded as posted", "room", room, "items", len(rows), "err", err)
	}
	return nil
}

func (h *Hub) say(ctx context.Context, room string, r opsbot.Reply) error {
	if h.o.Poster == nil {
		h.o.Log.Info("feeds: no poster", "room", room, "title", r.Title, "text", r.Text)
		return nil
	}
	_, err := h.o.Poster.Post(ctx, opsbot.Message{Channel: room, Reply: r})
	return err
}

// single is the message of one item.
func (h *Hub) single(x row) opsbot.Reply {
	return opsbot.Reply{Title: x.Item.title(), Text: strings.Join(nonEmpty(x.Item.Details()), "\n"), Context: context1(x)}
}

func context1(x row) string {
	if x.Item.Time.IsZero() {
		return "feed " + x.Source
	}
	return "feed " + x.Source + " · " + x.Item.Time.UTC().Format("2006-01-02 15:04 UTC")
}

// group is the message of several items: one line each (up to GroupLines),
// then how many more and where to see them.
func (h *Hub) group(rows []row) opsbot.Reply {
	var lines, sources []string
	for i, x := range rows {
		if !slices.Contains(sources, x.Source) {
			sources = append(sources, x.Source)
		}
		if i < h.o.GroupLines {
			lines = append(lines, "• "+strings.Join(nonEmpty([]string{x.Item.Headline(), x.Item.Link}), " — "))
		}
	}
	if more := len(rows) - h.o.GroupLines; more > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more.", more))
	}
	return opsbot.Reply{Title: fmt.Sprintf("%d new items", len(rows)), Text: strings.Join(lines, "\n"),
		Context: "feeds " + strings.Join(sources, ", ") + " · grouped by minute"}
}

func nonEmpty(ss []string) []string {
	return slices.DeleteFunc(slices.Clone(ss), func(s string) bool { return s == "" })
}

// untilMinute is the wait until the next minute starts after now.
func untilMinute(now time.Time) time.Duration {
	return now.Truncate(time.Minute).Add(time.Minute).Sub(now)
}
