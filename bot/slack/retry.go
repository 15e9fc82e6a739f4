package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/opsbot/opsbot"
	"github.com/slack-go/slack"
)

// maxAttempts bounds retries of server and network errors; 429s are retried
// for as long as the context lives (queue, never drop).
const maxAttempts = 6

// decide says whether a failed Slack call is worth retrying, how long Slack
// asked us to wait (429 Retry-After), and why.
func decide(err error) (retry bool, after time.Duration, reason error) {
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	var se slack.SlackErrorResponse
	var ne net.Error
	var ue *url.Error
	switch {
	case err == nil:
		return false, 0, nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false, 0, err
	case errors.As(err, &rl):
		return true, max(rl.RetryAfter, time.Second), fmt.Errorf("rate limited: %w", err)
	case errors.As(err, &sc):
		return sc.Code >= 500 || sc.Code == 408, 0, fmt.Errorf("http %d: %w", sc.Code, err)
	case errors.As(err, &se):
		// Slack's own transient errors; everything else (channel_not_found,
		// msg_blocks_too_long, not_in_channel …) won't get better by retrying.
		transient := se.Err == "internal_error" || se.Err == "fatal_error" || se.Err == "service_unavailable" || se.Err == "request_timeout" || se.Err == "ratelimited"
		return transient, 0, err
	case errors.As(err, &ne), errors.As(err, &ue):
		return true, 0, fmt.Errorf("network: %w", err)
	}
	return false, 0, err
}

// caller runs Slack calls with retries and per-channel pacing.
type caller struct {
	clock opsbot.Clock
	pace  time.Duration
	log   logger

	mu    sync.Mutex
	lanes map[string]*lane
}

type lane struct {
	turn chan struct{} // a one-slot semaphore: the queue for one channel
	next time.Time     // earliest time of the next post
}

type logger interface {
	Warn(msg string, args ...any)
}

// do runs f until it succeeds, fails for good, or ctx ends. 429s wait for
// Retry-After on the clock; server and network errors back off.
func (c *caller) do(ctx context.Context, what string, f func() error) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.MaxElapsedTime = 500*time.Millisecond, 30*time.Second, 0
	for attempt := 1; ; attempt++ {
		err := f()
		retry, after, reason := decide(err)
		if err == nil {
			return nil
		}
		if !retry || (after == 0 && attempt >= maxAttempts) {
			return fmt.Errorf("%s: %w", what, err)
		}
		if after == 0 {
			after = b.NextBackOff()
		}
		c.log.Warn("slack: retrying", "call", what, "attempt", attempt, "wait", after, "reason", reason)
		if err := opsbot.Sleep(ctx, c.clock, after); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
}

// paced runs f in channel's queue, at most one call per pace, with retries.
// Callers wait their turn; nothing is dropped.
func (c *caller) paced(ctx context.Context, channel, what string, f func() error) error {
	l := c.lane(channel)
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	defer func() { <-l.turn }()
	if wait := l.next.Sub(c.clock.Now()); wait > 0 {
		if err := opsbot.Sleep(ctx, c.clock, wait); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	err := c.do(ctx, what, f)
	l.next = c.clock.Now().Add(c.pace)
	return err
}

func (c *caller) lane(channel string) *lane {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lanes == nil {
		c.lanes = map[string]*lane{}
	}
	l, ok := c.lanes[channel]
	if !ok {
		l = &lane{turn: make(chan struct{}, 1)}
		c.lanes[channel] = l
	}
	return l
}
