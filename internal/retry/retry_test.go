package retry_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/internal/retry"
)

func zero(n uint64) backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, n) }

func TestDo(t *testing.T) {
	ctx := context.Background()
	calls := 0
	err := retry.Do(ctx, zero(5), func() (bool, error) {
		if calls++; calls < 3 {
			return true, errors.New("503")
		}
		return false, nil
	})
	if err != nil || calls != 3 {
		t.Errorf("retryable then ok: %v after %d calls", err, calls)
	}
	calls = 0
	perm := errors.New("400 bad request")
	if err := retry.Do(ctx, zero(5), func() (bool, error) { calls++; return false, perm }); err != perm || calls != 1 {
		t.Errorf("permanent: %v after %d calls", err, calls)
	}
	calls = 0
	err = retry.Do(ctx, zero(2), func() (bool, error) { calls++; return true, errors.New("429 again") })
	if err == nil || err.Error() != "429 again" || calls != 3 {
		t.Errorf("gave up: %v after %d calls", err, calls)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	calls = 0
	err = retry.Do(cctx, zero(5), func() (bool, error) { calls++; return true, errors.New("503") })
	if err == nil || calls > 1 {
		t.Errorf("cancelled: %v after %d calls", err, calls)
	}
}
