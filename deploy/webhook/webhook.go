// Package webhook deploys through a team's own deployer (Jenkins, Argo CD,
// a script): a POST of a JSON body signed with HMAC-SHA256, and, when
// configured, a status URL polled for the deploy's state.
//
// The request: POST URL with Content-Type application/json, the body
// {"id","service","environment","ref","requested_by"}, and the headers
// X-Opsbot-Timestamp (Unix seconds) and X-Opsbot-Signature:
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)). A 2xx
// answer may carry {"id": "…"}: the deployer's own id for the status URL's
// {id} (opsbot's id otherwise). The status URL answers GET with
// {"state": "queued|in_progress|success|failure|cancelled", "url": "…",
// "jobs": [{"name","state","url"}], "detail": "…"}.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot/deploy"
)

// Options configure a Target.
type Options struct {
	URL       string
	Secret    []byte
	StatusURL string // "" : deploys are not followed ({id} is replaced)
	HTTP      *http.Client
	Now       func() time.Time // for the signature's timestamp
}

// Target is one service's webhook.
type Target struct{ o Options }

// Bounds on what a deployer's answer may be: its body, its jobs, each text.
const (
	maxBody = 1 << 20
	maxJobs = 100
	maxText = 1000
)

func cut(s string) string {
	if len(s) <= maxText {
		return s
	}
	return strings.ToValidUTF8(s[:maxText], "") + "…"
}

// New returns the target of o.
func New(o Options) *Target {
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Target{o: o}
}

// Kind names the target.
func (t *Target) Kind() string { return "webhook" }

// Where names the deployer, for messages (its host only).
func (t *Target) Where() string {
	u, err := url.Parse(t.o.URL)
	if err != nil {
		return "webhook"
	}
	return "webhook " + u.Host
}

// Sign is the X-Opsbot-Signature of body sent at ts.
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Dispatch POSTs the signed deploy. It is never retried (a second POST
// could deploy twice). The run is the deployer's id, or s.ID.
func (t *Target) Dispatch(ctx context.Context, s deploy.Spec) (string, error) {
	body, _ := json.Marshal(map[string]string{"id": s.ID, "service": s.Service, "environment": s.Env, "ref": s.Ref, "requested_by": s.RequestedBy})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.o.URL, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	ts := strconv.FormatInt(t.o.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Opsbot-Timestamp", ts)
	req.Header.Set("X-Opsbot-Signature", Sign(t.o.Secret, ts, body))
	var ans struct{ ID string }
	if err := t.do(req, &ans); err != nil {
		return "", fmt.Errorf("webhook: %w", err)
	}
	if ans.ID == "" {
		return s.ID, nil
	}
	return ans.ID, nil
}

// Find is never needed: Dispatch returns the run.
func (t *Target) Find(context.Context, deploy.Spec, time.Time) (string, error) {
	return "", deploy.ErrUnsupported
}

// Status polls the status URL; without one the deploy is Accepted.
func (t *Target) Status(ctx context.Context, run string) (deploy.Status, error) {
	if t.o.StatusURL == "" {
		return deploy.Status{State: deploy.Accepted, Detail: "the webhook has no status URL: opsbot does not follow it"}, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.ReplaceAll(t.o.StatusURL, "{id}", url.PathEscape(run)), nil)
	if err != nil {
		return deploy.Status{}, err
	}
	var ans struct {
		State, URL, Detail string
		Jobs               []struct{ Name, State, URL string }
	}
	if err := t.do(req, &ans); err != nil {
		return deploy.Status{}, fmt.Errorf("webhook status: %w", err)
	}
	st := deploy.Status{State: state(ans.State), URL: cut(ans.URL), Detail: cut(ans.Detail)}
	for _, j := range ans.Jobs[:min(len(ans.Jobs), maxJobs)] {
		st.Jobs = append(st.Jobs, deploy.Job{Name: cut(j.Name), State: state(j.State), URL: cut(j.URL)})
	}
	return st, nil
}

func state(s string) deploy.State {
	switch st := deploy.State(strings.ToLower(s)); st {
	case deploy.Queued, deploy.InProgress, deploy.Success, deploy.Failure, deploy.Cancelled, deploy.TimedOut:
		return st
	case "running", "in-progress":
		return deploy.InProgress
	}
	return deploy.Queued
}

// do sends req and decodes a 2xx JSON answer into v (an empty body is
// fine). A 429, a 5xx or the network wrap deploy.ErrTemporary.
func (t *Target) do(req *http.Request, v any) error {
	resp, err := t.o.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", deploy.ErrTemporary, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("%w: read answer: %w", deploy.ErrTemporary, err)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return fmt.Errorf("%w: %s", deploy.ErrTemporary, resp.Status)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s", resp.Status)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("answer is not JSON: %w", err)
	}
	return nil
}

// Changes is not known to a webhook.
func (t *Target) Changes(context.Context, string, string) (deploy.Changes, error) {
	return deploy.Changes{}, deploy.ErrUnsupported
}
