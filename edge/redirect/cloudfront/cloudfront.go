// Package cloudfront keeps the redirect map in a CloudFront KeyValueStore,
// read at the edge by the viewer-request CloudFront Function in
// function/redirects.js (its deployment: README.md beside it). One key
// per rule: the source path ("/old", or "/campaign*" for a prefix rule),
// its value "STATUS TARGET".
//
// Every write carries the store's ETag (If-Match) from a read just before:
// when someone else changed the store in between, the service answers
// ConflictException and the change starts over from a fresh read, as the
// WAF bans do with their lock token. The store's documented limits
// (keys up to 512 bytes, values up to 1024, 5 MB in all) are checked
// before writing, with a refusal that names the limit.
package cloudfront

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	kvs "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore"
	"github.com/aws/smithy-go"

	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/redirect"
)

// Limits of a KeyValueStore (CloudFront Developer Guide, key value store
// quotas).
const (
	MaxKey   = 512
	MaxValue = 1024
	MaxTotal = 5 << 20
)

// Depth is how many segments deep a prefix rule may be: the function
// looks up at most this many ancestors of a path.
const Depth = 8

// API is the part of the KeyValueStore client this package uses.
type API interface {
	DescribeKeyValueStore(ctx context.Context, in *kvs.DescribeKeyValueStoreInput, opts ...func(*kvs.Options)) (*kvs.DescribeKeyValueStoreOutput, error)
	ListKeys(ctx context.Context, in *kvs.ListKeysInput, opts ...func(*kvs.Options)) (*kvs.ListKeysOutput, error)
	PutKey(ctx context.Context, in *kvs.PutKeyInput, opts ...func(*kvs.Options)) (*kvs.PutKeyOutput, error)
	DeleteKey(ctx context.Context, in *kvs.DeleteKeyInput, opts ...func(*kvs.Options)) (*kvs.DeleteKeyOutput, error)
}

var _ API = (*kvs.Client)(nil)

// Options configure an Edge.
type Options struct {
	Name   string      // the edge's name in opsbot
	ARN    string      // the KeyValueStore's ARN
	Policy edge.Policy // retries (default edge.DefaultPolicy)
}

// Edge is one KeyValueStore.
type Edge struct {
	api API
	o   Options
	mu  sync.Mutex // one change at a time from this process
}

// New returns an Edge over api (a *kvs.Client).
func New(api API, o Options) *Edge { return &Edge{api: api, o: o} }

// Name is the edge's name in opsbot.
func (e *Edge) Name() string { return e.o.Name }

// Kind names the provider.
func (e *Edge) Kind() string { return "cloudfront kvs" }

// Caps are what the store and the function hold.
func (e *Edge) Caps() redirect.Caps {
	return redirect.Caps{MaxKey: MaxKey, MaxValue: MaxValue, Depth: Depth, Prefix: true, Unit: "bytes", Store: "a CloudFront KeyValueStore"}
}

// List reads every key of the store.
func (e *Edge) List(ctx context.Context) ([]redirect.Rule, error) {
	var out []redirect.Rule
	var next *string
	for {
		var page *kvs.ListKeysOutput
		err := edge.Retry(ctx, e.o.Policy, func() (bool, error) {
			var err error
			page, err = e.api.ListKeys(ctx, &kvs.ListKeysInput{KvsARN: aws.String(e.o.ARN), MaxResults: aws.Int32(50), NextToken: next})
			return retryable(err)
		})
		if err != nil {
			return nil, fmt.Errorf("cloudfront %s: list keys: %w", e.o.Name, err)
		}
		for _, it := range page.Items {
			r, _ := redirect.ParseValue(aws.ToString(it.Key), aws.ToString(it.Value))
			out = append(out, r)
		}
		if next = page.NextToken; aws.ToString(next) == "" {
			return out, nil
		}
	}
}

// Put writes r, replacing any value its key had.
func (e *Edge) Put(ctx context.Context, r redirect.Rule) (edge.Status, error) {
	key, val := r.From, r.Value()
	if err := e.Caps().Fits(key, val); err != nil {
		return edge.Status{}, err
	}
	return e.change(ctx, func(d *kvs.DescribeKeyValueStoreOutput) (writeFunc, error) {
		if total := aws.ToInt64(d.TotalSizeInBytes) + int64(len(key)+len(val)); total > MaxTotal {
			return nil, fmt.Errorf("%w: the store would hold %d bytes, more than its %d", edge.ErrFull, total, MaxTotal)
		}
		return func(etag *string) (*int32, bool, error) {
			out, err := e.api.PutKey(ctx, &kvs.PutKeyInput{KvsARN: aws.String(e.o.ARN), Key: aws.String(key), Value: aws.String(val), IfMatch: etag})
			if err != nil {
				return nil, false, err
			}
			return out.ItemCount, true, nil
		}, nil
	})
}

// Delete removes the key from; a key the store does not hold is no change.
func (e *Edge) Delete(ctx context.Context, from string) (edge.Status, error) {
	return e.change(ctx, func(d *kvs.DescribeKeyValueStoreOutput) (writeFunc, error) {
		return func(etag *string) (*int32, bool, error) {
			out, err := e.api.DeleteKey(ctx, &kvs.DeleteKeyInput{KvsARN: aws.String(e.o.ARN), Key: aws.String(from), IfMatch: etag})
			var api smithy.APIError
			if errors.As(err, &api) && api.ErrorCode() == "ResourceNotFoundException" {
				return d.ItemCount, false, nil // the store was read just before: it is the key that is missing
			}
			if err != nil {
				return nil, false, err
			}
			return out.ItemCount, true, nil
		}, nil
	})
}

// writeFunc writes with the ETag read just before; it returns the items
// the store holds after, and whether anything changed.
type writeFunc func(etag *string) (items *int32, changed bool, err error)

// change reads the store's ETag, lets plan refuse or return the write,
// and runs the write with If-Match, starting over on a conflict.
func (e *Edge) change(ctx context.Context, plan func(*kvs.DescribeKeyValueStoreOutput) (writeFunc, error)) (edge.Status, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var st edge.Status
	err := edge.Retry(ctx, e.o.Policy, func() (bool, error) {
		d, err := e.api.DescribeKeyValueStore(ctx, &kvs.DescribeKeyValueStoreInput{KvsARN: aws.String(e.o.ARN)})
		if err != nil {
			return retryable(fmt.Errorf("cloudfront %s: describe: %w", e.o.Name, err))
		}
		write, err := plan(d)
		if err != nil {
			return false, err
		}
		n, changed, err := write(d.ETag)
		if err != nil {
			return retryable(fmt.Errorf("cloudfront %s: %w", e.o.Name, err))
		}
		st = edge.Status{Changed: changed, Used: int(aws.ToInt32(n))}
		return false, nil
	})
	return st, err
}

// retryable decides whether a KeyValueStore failure is worth retrying: a
// conflict (the ETag moved: read again), throttling, 5xx and the network
// are; a refused request is not.
func retryable(err error) (bool, error) {
	if err == nil {
		return false, nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false, err
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ConflictException", "InternalServerException", "ThrottlingException":
			return true, err
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		retry, _ := edge.RetryStatus(re.HTTPStatusCode())
		return retry, err
	}
	return true, err
}
