// Package clocktest is an opsbot.Clock that only moves when a test moves
// it: no sleeps, no real timers.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a manual clock.
type Clock struct {
	mu      sync.Mutex
	cond    *sync.Cond
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	c  chan time.Time
}

// New is a clock at now.
func New(now time.Time) *Clock {
	c := &Clock{now: now}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After fires when the clock is moved to now+d or past it.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	c.cond.Broadcast()
	return ch
}

// Advance moves the clock by d and fires the timers that are due.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t and fires the timers that are due.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(t) {
			kept = append(kept, w)
			continue
		}
		w.c <- t
	}
	c.waiters = kept
}

// BlockUntil returns once n timers are waiting: the code under test has
// reached its wait.
func (c *Clock) BlockUntil(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.waiters) < n {
		c.cond.Wait()
	}
}

// Next is when the earliest timer fires (zero when none waits).
func (c *Clock) Next() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t time.Time
	for _, w := range c.waiters {
		if t.IsZero() || w.at.Before(t) {
			t = w.at
		}
	}
	return t
}

// Funcs is a clock made of a test's own functions, for tests that script
// time: Now is NowFunc, After is AfterFunc (time.After when nil).
type Funcs struct {
	NowFunc   func() time.Time
	AfterFunc func(time.Duration) <-chan time.Time
}

// Now is NowFunc().
func (f Funcs) Now() time.Time { return f.NowFunc() }

// After is AfterFunc(d), or time.After(d).
func (f Funcs) After(d time.Duration) <-chan time.Time {
	if f.AfterFunc == nil {
		return time.After(d)
	}
	return f.AfterFunc(d)
}
