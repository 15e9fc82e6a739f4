// Package fastlyapi is Fastly's API as opsbot's Fastly edges (the ACL that
// bans go to, the dictionary that holds redirects) call it: the key header,
// the answer's status, and a (retry, err) decision for edge.Retry.
package fastlyapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/opsbot/opsbot/edge"
)

// DefaultEndpoint is Fastly's API.
const DefaultEndpoint = "https://api.fastly.com"

// Client calls the API for one edge.
type Client struct {
	Name  string // the edge's name, for errors
	Token string
	HTTP  *http.Client // http.DefaultClient when nil
}

// Body is a request's payload and its content type.
type Body struct {
	Type string // "application/json", "application/x-www-form-urlencoded"
	Data []byte
}

// Do sends one request and decodes a 2xx answer into out (nil: drop it).
// op names the request in errors ("PUT dictionary item"). retry says
// whether another try may succeed (5xx, 429, the network).
func (c *Client) Do(ctx context.Context, method, url, op string, body *Body, out any) (retry bool, err error) {
	req, err := c.request(ctx, method, url, body)
	if err != nil {
		return false, err
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("fastly %s: %w", c.Name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode/100 != 2 {
		retry, why := edge.RetryStatus(resp.StatusCode)
		return retry, fmt.Errorf("fastly %s: %s: %w", c.Name, why, &edge.HTTPError{Op: op, Status: resp.StatusCode, Body: string(bytes.TrimSpace(b))})
	}
	if out == nil {
		return false, nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return false, fmt.Errorf("fastly %s: decode answer: %w", c.Name, err)
	}
	return false, nil
}

func (c *Client) request(ctx context.Context, method, url string, body *Body) (*http.Request, error) {
	var data []byte
	if body != nil {
		data = body.Data
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Fastly-Key", c.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", body.Type)
	}
	return req, nil
}
