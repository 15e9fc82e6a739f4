package feeds

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
)

// RetryAfter in a Poll error's chain asks for at least Wait before the
// next try (a rate limit's Retry-After or reset time).
type RetryAfter struct {
	Wait time.Duration
	Err  error
}

func (e *RetryAfter) Error() string { return e.Err.Error() }
func (e *RetryAfter) Unwrap() error { return e.Err }

// health is what `feeds` shows of a source.
type health struct {
	last     Item
	lastAt   time.Time // when last was recorded
	polled   time.Time // last successful poll
	failing  bool
	reason   string
	since    time.Time
	failures int
	next     time.Time
}

// Run posts items pending since before a restart, polls every polled source
// and flushes once a minute, until ctx ends.
func (h *Hub) Run(ctx context.Context) error {
	rows, err := h.o.Store.Pending(ctx)
	if err != nil {
		return err
	}
	h.queue(rows)
	var wg sync.WaitGroup
	for _, name := range h.names {
		if src := h.sources[name]; src.Poller != nil {
			wg.Add(1)
			go func() { defer wg.Done(); h.pollLoop(ctx, src) }()
		}
	}
	for opsbot.Sleep(ctx, h.o.Clock, untilMinute(h.o.Clock.Now())) == nil {
		h.Flush(ctx)
	}
	wg.Wait()
	return nil
}

func (h *Hub) pollLoop(ctx context.Context, src *Source) {
	for {
		wait := h.PollOnce(ctx, src.Name)
		if opsbot.Sleep(ctx, h.o.Clock, wait) != nil {
			return
		}
	}
}

// PollOnce polls one source now and records what it found; it returns the
// wait before the next poll (the interval, or the backoff after a failure).
func (h *Hub) PollOnce(ctx context.Context, name string) time.Duration {
	src := h.sources[name]
	err := h.poll(ctx, src)
	if ctx.Err() != nil {
		return 0
	}
	if err != nil {
		return h.failed(ctx, src, err)
	}
	h.recovered(ctx, src)
	return src.Interval
}

// poll reads src outside the hub's lock (a slow source never holds up a
// webhook), then records under it. Only src's loop polls src, so its
// cursor cannot move in between.
func (h *Hub) poll(ctx context.Context, src *Source) error {
	cur, err := h.o.Store.Cursor(ctx, src.Name)
	if err != nil {
		return err
	}
	items, next, err := src.Poller.Poll(ctx, cur)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.accept(ctx, src, items, cur == Cursor{}); err != nil {
		return err
	}
	if next == cur {
		return nil
	}
	return h.o.Store.SetCursor(ctx, src.Name, next, h.o.Clock.Now())
}

// failed notes a failure, warns on the first of a run of them, and returns
// the backoff: the interval doubled for each failure in a row, at most
// MaxBackoff, at least what the source asked.
func (h *Hub) failed(ctx context.Context, src *Source, err error) time.Duration {
	now := h.o.Clock.Now()
	reason := text.Cut(text.Visible(opsbot.ErrorText(err)), 300)
	h.pmu.Lock()
	hl := h.health[src.Name]
	hl.failures++
	wait := min(src.Interval<<min(hl.failures, 16), h.o.MaxBackoff)
	var ra *RetryAfter
	if errors.As(err, &ra) {
		wait = max(wait, ra.Wait)
	}
	first := !hl.failing
	hl.failing, hl.reason, hl.next = true, reason, now.Add(wait)
	if first {
		hl.since = now
	}
	h.pmu.Unlock()
	h.o.Log.Warn("feeds: source failed", "source", src.Name, "err", err, "retry_in", wait)
	if first {
		h.warn(ctx, opsbot.Reply{Title: fmt.Sprintf("Feed %s is failing", src.Name),
			Text: fmt.Sprintf("%s\nRetrying with backoff (next try in %s). Said once; `feeds` shows its health.", reason, wait)})
	}
	return wait
}

func (h *Hub) recovered(ctx context.Context, src *Source) {
	now := h.o.Clock.Now()
	h.pmu.Lock()
	hl := h.health[src.Name]
	was, n, since := hl.failing, hl.failures, hl.since
	hl.failing, hl.reason, hl.failures, hl.polled, hl.next = false, "", 0, now, now.Add(src.Interval)
	h.pmu.Unlock()
	if was {
		h.warn(ctx, opsbot.Reply{Title: fmt.Sprintf("Feed %s recovered", src.Name),
			Text: fmt.Sprintf("After %d failed tries since %s.", n, since.UTC().Format("15:04 UTC"))})
	}
}

func (h *Hub) warn(ctx context.Context, r opsbot.Reply) {
	if h.o.WarnRoom == "" {
		return
	}
	if err := h.say(ctx, h.o.WarnRoom, r); err != nil {
		h.o.Log.Warn("feeds: warning not posted", "room", h.o.WarnRoom, "err", err)
	}
}
