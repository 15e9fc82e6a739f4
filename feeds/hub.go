package feeds

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
)

// Poller reads a source that cannot push.
//
// Contract: Poll returns the items after cur (any order) and the cursor to
// record once they are: an unchanged source (an ETag's 304) returns no
// items and cur. With the zero cur (the first poll ever) it returns the
// source's current items, which the hub records as the baseline without
// posting them. An error's text is shown to people as the reason of the
// failure (no secret in it); a *RetryAfter in its chain sets the least
// wait. Poll is safe for concurrent use: besides the source's loop,
// `feeds test` reads it with the zero cursor for a preview.
type Poller interface {
	Poll(ctx context.Context, cur Cursor) ([]Item, Cursor, error)
}

// Source is one configured source.
type Source struct {
	Name     string        // unique, from config
	Kind     string        // github, jira, webhook, bluesky, mastodon, rss, x
	Routes   []Route       // scope → room, with filters
	Poller   Poller        // nil: pushed by webhooks only
	Interval time.Duration // between polls (default 5m)
}

// Auditor records refused webhook deliveries in the audit log.
type Auditor interface {
	Record(ctx context.Context, e opsbot.AuditEntry) error
}

// Options configure a Hub.
type Options struct {
	Sources    []Source
	Store      *Store
	Poster     opsbot.Poster // nil: posts go to the log only
	WarnRoom   string        // where failing sources warn (slack.rooms.warn)
	Clock      opsbot.Clock  // default the system clock
	Log        *slog.Logger
	Auditor    Auditor       // nil: refusals are only logged
	MaxBackoff time.Duration // longest wait after failures (default 1h)
	GroupLines int           // items listed in a grouped message (default 15)
}

// Hub routes, records and posts the items of every source.
type Hub struct {
	o       Options
	sources map[string]*Source
	names   []string

	mu      sync.Mutex // serializes seen checks and records
	pmu     sync.Mutex // guards pending and health
	pending map[string][]row
	health  map[string]*health

	rmu      sync.Mutex // guards refusals
	refusals map[string]*refusals
}

// New returns the hub of o.Sources.
func New(o Options) *Hub {
	if o.Clock == nil {
		o.Clock = opsbot.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.GroupLines <= 0 {
		o.GroupLines = 15
	}
	h := &Hub{o: o, sources: map[string]*Source{}, pending: map[string][]row{}, health: map[string]*health{}}
	for i := range o.Sources {
		s := &o.Sources[i]
		if s.Interval <= 0 {
			s.Interval = 5 * time.Minute
		}
		h.sources[s.Name], h.health[s.Name] = s, &health{}
		h.names = append(h.names, s.Name)
	}
	return h
}

// Deliver takes a webhook's items, once per delivery id: a redelivery
// (same id) returns dup true and records nothing. The caller verified the
// signature.
func (h *Hub) Deliver(ctx context.Context, source, delivery string, items []Item) (dup bool, err error) {
	src, ok := h.sources[source]
	if !ok {
		return false, fmt.Errorf("feeds: no source %q", source)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if delivery != "" {
		if seen, err := h.o.Store.Delivered(ctx, source, delivery); err != nil || seen {
			return seen, err
		}
	}
	if err := h.accept(ctx, src, items, false); err != nil {
		return false, err
	}
	if delivery == "" {
		return false, nil
	}
	return false, h.o.Store.RecordDelivery(ctx, source, delivery, h.o.Clock.Now())
}

// accept records the items src has not seen and queues them for their
// rooms; baseline items are recorded only. Called with h.mu held.
func (h *Hub) accept(ctx context.Context, src *Source, items []Item, baseline bool) error {
	items = uniqueBounded(items)
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	seen, err := h.o.Store.Seen(ctx, src.Name, ids)
	if err != nil {
		return err
	}
	var rows []row
	for _, it := range items {
		if !seen[it.ID] {
			rows = append(rows, rowsOf(src, it, baseline || it.Baseline)...)
		}
	}
	if err := h.o.Store.Put(ctx, h.o.Clock.Now(), rows); err != nil {
		return err
	}
	h.queue(rows)
	return nil
}

func rowsOf(src *Source, it Item, baseline bool) []row {
	if baseline {
		return []row{{Source: src.Name, State: stateBaseline, Item: it}}
	}
	rooms := Rooms(src.Routes, it)
	if len(rooms) == 0 {
		return []row{{Source: src.Name, State: stateUnrouted, Item: it}}
	}
	out := make([]row, len(rooms))
	for i, r := range rooms {
		out[i] = row{Source: src.Name, Room: r, State: statePending, Item: it}
	}
	return out
}

// uniqueBounded bounds every item and keeps the first of each id, oldest
// first (items without a time keep their order).
func uniqueBounded(items []Item) []Item {
	out := make([]Item, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		it = it.Bound()
		if it.ID != "" && !seen[it.ID] {
			seen[it.ID] = true
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b Item) int { return a.Time.Compare(b.Time) })
	return out
}

// queue adds pending rows to their rooms and notes each source's last item.
func (h *Hub) queue(rows []row) {
	h.pmu.Lock()
	defer h.pmu.Unlock()
	for _, r := range rows {
		if hl := h.health[r.Source]; hl != nil && r.State != stateBaseline {
			hl.last, hl.lastAt = r.Item, h.o.Clock.Now()
		}
		if r.State == statePending {
			h.pending[r.Room] = append(h.pending[r.Room], r)
		}
	}
}
