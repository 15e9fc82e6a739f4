package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// MaxFeedBody is the largest answer a poller reads (a feed, a timeline).
const MaxFeedBody = 4 << 20

// Fetch is a conditional GET for pollers: ETag sent as If-None-Match;
// a 304 is NotModified. Errors name the status and what it means for
// people (401, 403, 404, 429 with Retry-After as a *RetryAfter); the
// body is read up to MaxFeedBody.
type Fetch struct {
	Client *http.Client // default: 30s timeout
	Header http.Header  // sent with every request (Authorization, Accept)
}

// Got is one answer.
type Got struct {
	Body        []byte
	ETag        string
	NotModified bool
}

// Get fetches u, conditionally on etag when set.
func (f Fetch) Get(ctx context.Context, u, etag string) (Got, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Got{}, err
	}
	for k, v := range f.Header {
		req.Header[k] = v
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	c := f.Client
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return Got{}, netErr(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return Got{ETag: etag, NotModified: true}, nil
	}
	if resp.StatusCode/100 != 2 {
		return Got{}, statusErr(resp)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxFeedBody+1))
	if err != nil {
		return Got{}, netErr(err)
	}
	if len(b) > MaxFeedBody {
		return Got{}, fmt.Errorf("answer over %d bytes", MaxFeedBody)
	}
	return Got{Body: b, ETag: resp.Header.Get("ETag")}, nil
}

func netErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, http.ErrHandlerTimeout) {
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}

var statusMeaning = map[int]string{
	http.StatusUnauthorized:    "the credentials were refused",
	http.StatusForbidden:       "not allowed (or rate limited)",
	http.StatusNotFound:        "no such feed or account",
	http.StatusTooManyRequests: "rate limited",
}

func statusErr(resp *http.Response) error {
	err := fmt.Errorf("%s", resp.Status)
	if m := statusMeaning[resp.StatusCode]; m != "" {
		err = fmt.Errorf("%s: %s", resp.Status, m)
	}
	if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && s > 0 {
		return &RetryAfter{Wait: time.Duration(s) * time.Second, Err: err}
	}
	return err
}
