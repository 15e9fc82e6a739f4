package waf

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	"github.com/aws/smithy-go"

	"github.com/opsbot/opsbot/edge"
)

// change runs read → edit → write on one set under its lock, starting over
// on an optimistic-lock conflict. edit returns the new list and whether it
// differs.
func (e *Edge) change(ctx context.Context, s Set, edit func([]string) ([]string, bool, error)) (edge.Status, error) {
	l := e.sets[s.ID]
	l.mu.Lock()
	defer l.mu.Unlock()
	var st edge.Status
	err := edge.Retry(ctx, e.opts.Policy, func() (bool, error) {
		got, err := e.get(ctx, s)
		if err != nil {
			return retryable(err)
		}
		addrs, changed, err := edit(append([]string(nil), got.IPSet.Addresses...))
		if err != nil {
			return false, err
		}
		st = edge.Status{Changed: changed, Used: len(addrs), Limit: e.opts.Limit}
		if !changed {
			return false, nil
		}
		if err := e.pace(ctx, l); err != nil {
			return false, err
		}
		_, err = e.api.UpdateIPSet(ctx, &wafv2.UpdateIPSetInput{
			Name: aws.String(s.Name), Id: aws.String(s.ID), Scope: e.opts.Scope,
			Addresses: addrs, Description: got.IPSet.Description, LockToken: got.LockToken,
		})
		l.last = time.Now()
		if err != nil {
			return retryable(fmt.Errorf("waf %s: update ip set %s: %w", e.opts.Name, s.Name, err))
		}
		return false, nil
	})
	return st, err
}

func (e *Edge) get(ctx context.Context, s Set) (*wafv2.GetIPSetOutput, error) {
	out, err := e.api.GetIPSet(ctx, &wafv2.GetIPSetInput{Name: aws.String(s.Name), Id: aws.String(s.ID), Scope: e.opts.Scope})
	if err != nil {
		return nil, fmt.Errorf("waf %s: get ip set %s: %w", e.opts.Name, s.Name, err)
	}
	if out.IPSet == nil {
		return nil, fmt.Errorf("waf %s: get ip set %s: empty answer", e.opts.Name, s.Name)
	}
	return out, nil
}

// pace keeps updates to one set at least MinInterval apart.
func (e *Edge) pace(ctx context.Context, l *setLock) error {
	wait := time.Until(l.last.Add(e.opts.MinInterval))
	if l.last.IsZero() || wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryable decides whether a wafv2 failure is worth retrying: a lock
// conflict (read again), throttling, AWS's internal errors, 5xx and
// network failures are; a bad request, missing set or limit is not.
func retryable(err error) (bool, error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false, err
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "WAFOptimisticLockException", "WAFInternalErrorException", "WAFUnavailableEntityException",
			"ThrottlingException", "TooManyRequestsException", "WAFServiceLinkedRoleErrorException":
			return true, err
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		retry, _ := edge.RetryStatus(re.HTTPStatusCode())
		return retry, err
	}
	return true, err // no answer at all: the network
}
