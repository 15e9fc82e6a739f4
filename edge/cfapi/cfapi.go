// Package cfapi is Cloudflare's v4 API as opsbot's Cloudflare edges (the
// IP list that bans go to, the Bulk Redirects list) call it: the envelope
// every answer comes in, cursors, retries, and the account's one-at-a-time
// bulk list operations.
package cfapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/opsbot/opsbot/edge"
)

// DefaultEndpoint is Cloudflare's v4 API.
const DefaultEndpoint = "https://api.cloudflare.com/client/v4"

// Client calls the API for one edge.
type Client struct {
	Name     string // the edge's name, for errors
	Endpoint string // DefaultEndpoint when empty
	Token    string
	HTTP     *http.Client // http.DefaultClient when nil
	Policy   edge.Policy  // retries of a failed call
}

// envelope is Cloudflare's answer around every result.
type envelope struct {
	Success bool `json:"success"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
	Result     json.RawMessage `json:"result"`
	ResultInfo struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
	} `json:"result_info"`
}

// Call sends one request, retrying what is worth retrying (a 429 while
// another operation of the account is pending, 5xx, the network), and
// decodes the result into out and the next cursor into after (when not
// nil).
func (c *Client) Call(ctx context.Context, method, path string, body, out any, after *string) error {
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	return edge.Retry(ctx, c.Policy, func() (bool, error) {
		env, retry, err := c.do(ctx, method, c.endpoint()+path, payload)
		if err != nil {
			return retry, err
		}
		if after != nil {
			*after = env.ResultInfo.Cursors.After
		}
		if err := json.Unmarshal(env.Result, out); err != nil {
			return false, fmt.Errorf("cloudflare %s: decode result: %w", c.Name, err)
		}
		return false, nil
	})
}

func (c *Client) endpoint() string {
	if c.Endpoint == "" {
		return DefaultEndpoint
	}
	return c.Endpoint
}

func (c *Client) do(ctx context.Context, method, u string, payload []byte) (*envelope, bool, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(payload))
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, fmt.Errorf("cloudflare %s: %w", c.Name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	var env envelope
	jsonErr := json.Unmarshal(b, &env)
	if resp.StatusCode/100 != 2 || !env.Success {
		retry, why := edge.RetryStatus(resp.StatusCode)
		if resp.StatusCode == 429 {
			why = "rate limited or another list operation is pending"
		}
		return nil, retry, fmt.Errorf("cloudflare %s: %s: %s: %w", c.Name, why, messages(&env), &edge.HTTPError{Op: method + " " + req.URL.Path, Status: resp.StatusCode, Body: string(b)})
	}
	if jsonErr != nil {
		return nil, false, fmt.Errorf("cloudflare %s: decode answer: %w", c.Name, jsonErr)
	}
	return &env, false, nil
}

func messages(env *envelope) string {
	var m []string
	for _, e := range env.Errors {
		m = append(m, fmt.Sprintf("%d %s", e.Code, e.Message))
	}
	if len(m) == 0 {
		return "no details"
	}
	return strings.Join(m, "; ")
}

// StartBulk starts a bulk operation on a list's items (POST adds, DELETE
// removes, PUT replaces) and returns its id.
func (c *Client) StartBulk(ctx context.Context, itemsPath, method string, body any) (string, error) {
	var started struct {
		OperationID string `json:"operation_id"`
	}
	if err := c.Call(ctx, method, itemsPath, body, &started, nil); err != nil {
		return "", err
	}
	if started.OperationID == "" {
		return "", fmt.Errorf("cloudflare %s: %s items: no operation_id in the answer", c.Name, method)
	}
	return started.OperationID, nil
}

// Operation reads a bulk operation's status ("pending", "running",
// "completed", "failed") and, when it failed, its error.
func (c *Client) Operation(ctx context.Context, accountID, id string) (status, failure string, err error) {
	var op struct {
		Status string `json:"status"`
		Error  string `json:"error"`
	}
	err = c.Call(ctx, http.MethodGet, fmt.Sprintf("/accounts/%s/rules/lists/bulk_operations/%s", accountID, id), nil, &op, nil)
	return op.Status, op.Error, err
}

var (
	accountsMu sync.Mutex
	accounts   = map[string]*sync.Mutex{}
)

// AccountLock serializes an account's bulk list operations: Cloudflare
// runs one at a time per account, whichever list (bans or redirects) it
// is on.
func AccountLock(accountID string) *sync.Mutex {
	accountsMu.Lock()
	defer accountsMu.Unlock()
	if accounts[accountID] == nil {
		accounts[accountID] = &sync.Mutex{}
	}
	return accounts[accountID]
}
