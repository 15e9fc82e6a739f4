package edge

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v4"
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
// policy gives up; it returns op's last error. op says whether its failure
// is worth retrying, in the style of Alertmanager's notifiers.
func Retry(ctx context.Context, p Policy, op func() (retry bool, err error)) error {
	if p == nil {
		p = DefaultPolicy
	}
	var last error
	err := backoff.Retry(func() error {
		retry, err := op()
		last = err
		if err != nil && !retry {
			return backoff.Permanent(err)
		}
		return err
	}, backoff.WithContext(p(), ctx))
	if err == nil {
		return nil
	}
	var perm *backoff.PermanentError
	if errors.As(err, &perm) {
		return perm.Err
	}
	if last != nil {
		return last
	}
	return err
}
