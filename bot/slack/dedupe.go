package slack

import (
	"sync"
	"time"

	"github.com/opsbot/opsbot"
)

// dedupe remembers the keys of events already taken (event IDs, channel+ts,
// client_msg_id, trigger IDs) so that a redelivered event is answered once.
type dedupe struct {
	mu    sync.Mutex
	clock opsbot.Clock
	ttl   time.Duration
	seen  map[string]time.Time
}

func newDedupe(c opsbot.Clock, ttl time.Duration) *dedupe {
	return &dedupe{clock: c, ttl: ttl, seen: map[string]time.Time{}}
}

// first records keys and reports whether none of them was seen before.
// Empty keys are ignored.
func (d *dedupe) first(keys ...string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clock.Now()
	if len(d.seen) > 10000 {
		for k, t := range d.seen {
			if now.Sub(t) > d.ttl {
				delete(d.seen, k)
			}
		}
	}
	for _, k := range keys {
		if t, ok := d.seen[k]; k != "" && ok && now.Sub(t) <= d.ttl {
			return false
		}
	}
	for _, k := range keys {
		if k != "" {
			d.seen[k] = now
		}
	}
	return true
}
