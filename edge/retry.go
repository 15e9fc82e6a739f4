package edge

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/internal/retry"
)

// Policy makes a fresh backoff for one call (a BackOff holds state).
type Policy func() backoff.BackOff

// DefaultPolicy retries for up to two minutes, from half a second up to
// fifteen seconds apart.
func DefaultPolicy() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 500 * time.Millisecond
	b.MaxInterval = 15 * time.Second
	b.MaxElapsedTime = 2 * time.Minute
	return b
}

// Retry calls op until it succeeds, returns retry=false, ctx ends or the
// policy (nil: DefaultPolicy) gives up; it returns op's last error.
func Retry(ctx context.Context, p Policy, op func() (retry bool, err error)) error {
	if p == nil {
		p = DefaultPolicy
	}
	return retry.Do(ctx, p(), op)
}
