package cloudflare

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/opsbot/opsbot/edge"
)

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

type item struct {
	ID      string `json:"id"`
	IP      string `json:"ip"`
	Comment string `json:"comment"`
}

func parseItemIP(s string) (netip.Prefix, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	p, err := netip.ParsePrefix(s)
	return p.Masked(), err == nil
}

// items reads the whole list, following cursors.
func (e *Edge) items(ctx context.Context) (map[netip.Prefix]item, error) {
	out := map[netip.Prefix]item{}
	cursor := ""
	for {
		q := url.Values{"per_page": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page []item
		path := fmt.Sprintf("/accounts/%s/rules/lists/%s/items?%s", e.o.AccountID, e.o.ListID, q.Encode())
		if err := e.call(ctx, http.MethodGet, path, nil, &page, &cursor); err != nil {
			return nil, err
		}
		for _, it := range page {
			if p, ok := parseItemIP(it.IP); ok {
				out[p] = it
			}
		}
		if cursor == "" || len(page) == 0 {
			return out, nil
		}
	}
}

// call sends one request, retrying what is worth retrying (a 429 while an
// operation is pending, 5xx, the network), and decodes result into out and
// the next cursor into after.
func (e *Edge) call(ctx context.Context, method, path string, body, out any, after *string) error {
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	return edge.Retry(ctx, e.o.Policy, func() (bool, error) {
		env, retry, err := e.do(ctx, method, e.o.Endpoint+path, payload)
		if err != nil {
			return retry, err
		}
		if after != nil {
			*after = env.ResultInfo.Cursors.After
		}
		if err := json.Unmarshal(env.Result, out); err != nil {
			return false, fmt.Errorf("cloudflare %s: decode result: %w", e.o.Name, err)
		}
		return false, nil
	})
}

func (e *Edge) do(ctx context.Context, method, u string, payload []byte) (*envelope, bool, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(payload))
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Authorization", "Bearer "+e.o.Token)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.o.HTTP.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, fmt.Errorf("cloudflare %s: %w", e.o.Name, err)
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
		return nil, retry, fmt.Errorf("cloudflare %s: %s: %s: %w", e.o.Name, why, messages(&env), &edge.HTTPError{Op: method + " " + req.URL.Path, Status: resp.StatusCode, Body: string(b)})
	}
	if jsonErr != nil {
		return nil, false, fmt.Errorf("cloudflare %s: decode answer: %w", e.o.Name, jsonErr)
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
