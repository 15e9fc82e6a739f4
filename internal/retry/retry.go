// Package retry runs calls to outside services (an edge, a pager) that say
// whether their failure is worth another try, in the style of Alertmanager's
// notifiers, which return (retry bool, err): a 429, a 5xx or a network error
// is; a 400 or a bad credential is not.
package retry

import (
	"context"
	"errors"

	"github.com/cenkalti/backoff/v4"
)

// Do calls op until it succeeds, returns retry=false, ctx ends or b gives
// up, waiting between tries as b says. It returns op's last error (ctx's
// error only if op never failed).
func Do(ctx context.Context, b backoff.BackOff, op func() (retry bool, err error)) error {
	var last error
	err := backoff.Retry(func() error {
		retry, err := op()
		last = err
		if err != nil && !retry {
			return backoff.Permanent(err)
		}
		return err
	}, backoff.WithContext(b, ctx))
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
