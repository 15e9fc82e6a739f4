package cloudflare

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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

// item is one list item of kind redirect.
type item struct {
	ID       string `json:"id,omitempty"`
	Redirect target `json:"redirect"`
}

// target is a URL redirect as the list holds it.
type target struct {
	SourceURL           string `json:"source_url"`
	TargetURL           string `json:"target_url"`
	StatusCode          int    `json:"status_code"`
	IncludeSubdomains   bool   `json:"include_subdomains"`
	SubpathMatching     bool   `json:"subpath_matching"`
	PreserveQueryString bool   `json:"preserve_query_string"`
	PreservePathSuffix  bool   `json:"preserve_path_suffix"`
}

func (e *Edge) itemsPath() string {
	return fmt.Sprintf("/accounts/%s/rules/lists/%s/items", url.PathEscape(e.o.AccountID), url.PathEscape(e.o.ListID))
}

// items reads the whole list, following cursors.
func (e *Edge) items(ctx context.Context) ([]item, error) {
	var out []item
	cursor := ""
	for {
		q := url.Values{"per_page": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page []item
		if err := e.call(ctx, http.MethodGet, e.itemsPath()+"?"+q.Encode(), nil, &page, &cursor); err != nil {
			return nil, err
		}
		out = append(out, page...)
		if cursor == "" || len(page) == 0 {
			return out, nil
		}
	}
}

// call sends one request, retrying what is worth retrying (a 429 while
// another operation of the account is pending, 5xx, the network), and
// decodes result into out and the next cursor into after.
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
