// Package post sends one JSON request to a pager API and decides whether a
// failure is worth retrying: 429, 5xx and network errors are; 4xx are bugs
// in the request (a wrong key, a bad payload) and are reported, not retried.
package post

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/opsbot/opsbot/internal/text"
)

// JSON posts body as JSON to url with headers. ok lists the statuses that
// mean success (any 2xx when empty).
func JSON(ctx context.Context, c *http.Client, url string, headers map[string]string, body any, ok ...int) (retry bool, err error) {
	b, err := json.Marshal(body)
	if err != nil {
		return false, fmt.Errorf("encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return false, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("post %s: %w", req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	return Classify(resp.StatusCode, strings.TrimSpace(string(msg)), ok...)
}

// Classify turns a status into success, a retryable error or a final one.
func Classify(status int, body string, ok ...int) (retry bool, err error) {
	if accepted(status, ok) {
		return false, nil
	}
	err = fmt.Errorf("status %d: %s", status, body)
	switch {
	case status == http.StatusTooManyRequests, status >= 500:
		return true, err
	case status >= 200 && status < 300:
		return false, fmt.Errorf("unexpected %w", err)
	}
	return false, fmt.Errorf("rejected (a bug in opsbot's request or a wrong key, not retried): %w", err)
}

func accepted(status int, ok []int) bool {
	if len(ok) == 0 {
		return status >= 200 && status < 300
	}
	for _, s := range ok {
		if s == status {
			return true
		}
	}
	return false
}

// Truncate cuts s to at most n runes, marking the cut with an ellipsis
// (text.Cut, opsbot's one cut for text).
func Truncate(s string, n int) string { return text.Cut(s, n) }
