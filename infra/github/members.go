package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// member is the part of GitHub's "simple user" that the audit uses.
type member struct {
	Login   string `json:"login"`
	ID      int64  `json:"id"`
	HTMLURL string `json:"html_url"`
}

// maxPages bounds a listing (100 members a page).
const maxPages = 1000

// members lists org's members with 2FA disabled, following rel="next".
func (o *Orgs) members(ctx context.Context, org string) ([]member, error) {
	next := o.opts.BaseURL + "/orgs/" + url.PathEscape(org) + "/members?filter=2fa_disabled&per_page=100"
	var all []member
	for page := 0; next != ""; page++ {
		if page == maxPages {
			return all, fmt.Errorf("stopped after %d pages", maxPages)
		}
		ms, n, err := o.page(ctx, next)
		if err != nil {
			return all, err
		}
		all = append(all, ms...)
		if next, err = o.sameOrigin(n); err != nil {
			return all, err
		}
	}
	return all, nil
}

// sameOrigin refuses a next link to another host: the token goes only to
// the configured API.
func (o *Orgs) sameOrigin(next string) (string, error) {
	if next == "" {
		return "", nil
	}
	n, err := url.Parse(next)
	base, _ := url.Parse(o.opts.BaseURL)
	if err != nil || n.Scheme != base.Scheme || n.Host != base.Host {
		return "", fmt.Errorf("refusing to follow a next page on another host: %q", next)
	}
	return next, nil
}

// page fetches one page, retrying rate limits, server and network errors.
func (o *Orgs) page(ctx context.Context, u string) (ms []member, next string, err error) {
	b := &hinted{BackOff: backoff.WithContext(o.opts.Backoff(), ctx)}
	attempts := 0
	err = backoff.Retry(func() error {
		attempts++
		var retry bool
		ms, next, retry, err = o.fetch(ctx, u, b)
		if err != nil && !retry {
			return backoff.Permanent(err)
		}
		return err
	}, b)
	if err != nil && attempts > 1 {
		err = fmt.Errorf("%w (after %d attempts)", err, attempts)
	}
	return ms, next, err
}

// fetch makes one request. retry says whether a failure is worth another
// attempt (rate limits, 5xx, network) and why not otherwise.
func (o *Orgs) fetch(ctx context.Context, u string, b *hinted) ([]member, string, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", false, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("Authorization", "Bearer "+o.opts.Token)
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", "opsbot-infra-audit")
	resp, err := o.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, "", ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, "", true, fmt.Errorf("read GitHub's answer: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		var ms []member
		if err := json.Unmarshal(body, &ms); err != nil {
			return nil, "", false, fmt.Errorf("decode members: %w", err)
		}
		return ms, nextLink(resp.Header.Get("Link")), false, nil
	}
	retry := rateLimited(resp) || resp.StatusCode >= 500
	if retry {
		b.hint = retryAfter(resp)
	}
	return nil, "", retry, apiError(resp, body, o.opts.TokenEnv)
}

// rateLimited: GitHub signals primary and secondary rate limits with 429,
// or 403 with x-ratelimit-remaining: 0 or a Retry-After.
func rateLimited(resp *http.Response) bool {
	if resp.StatusCode == http.StatusTooManyRequests {
		return true
	}
	return resp.StatusCode == http.StatusForbidden &&
		(resp.Header.Get("X-RateLimit-Remaining") == "0" || resp.Header.Get("Retry-After") != "")
}

func retryAfter(resp *http.Response) time.Duration {
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

func apiError(resp *http.Response, body []byte, tokenEnv string) error {
	var e struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &e)
	msg := fmt.Sprintf("GitHub answered %s", resp.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if resp.StatusCode == http.StatusUnauthorized {
		msg += " (check " + tokenEnv + ")"
	}
	return errors.New(msg)
}

// nextLink is the rel="next" URL of a Link header, or "".
func nextLink(h string) string {
	for _, part := range strings.Split(h, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if !ok {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			if strings.ReplaceAll(strings.TrimSpace(p), " ", "") == `rel="next"` {
				return strings.Trim(strings.TrimSpace(target), "<>")
			}
		}
	}
	return ""
}

// hinted waits at least as long as the server's Retry-After.
type hinted struct {
	backoff.BackOff
	hint time.Duration
}

func (h *hinted) NextBackOff() time.Duration {
	d := h.BackOff.NextBackOff()
	if d != backoff.Stop && h.hint > d {
		d = h.hint
	}
	h.hint = 0
	return d
}
