// Package github audits GitHub organizations through the REST API: members
// with two-factor authentication disabled (GET /orgs/{org}/members
// ?filter=2fa_disabled, every page through the Link header). *Orgs
// implements infra.Source.
//
// Rate limits (429, or 403 with x-ratelimit-remaining: 0) and server errors
// are retried with exponential backoff (cenkalti/backoff/v4), honouring
// Retry-After; any other failure becomes an error finding.
package github

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/infra"
)

// Options configure the GitHub audit.
type Options struct {
	Orgs     []string
	Token    string // read from the environment by the caller; never logged
	TokenEnv string // the variable's name, for error messages
	BaseURL  string // default https://api.github.com
	// HTTPClient defaults to a client with a 30s timeout.
	HTTPClient *http.Client
	// Backoff makes the retry policy for one request (tests use zero
	// delays); nil: exponential, up to 2 minutes.
	Backoff func() backoff.BackOff
}

// Orgs audits GitHub organizations.
type Orgs struct {
	opts Options
}

var _ infra.Source = (*Orgs)(nil)

// New returns the audit of opts.Orgs.
func New(opts Options) *Orgs {
	if opts.BaseURL == "" {
		opts.BaseURL = "https://api.github.com"
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.TokenEnv == "" {
		opts.TokenEnv = "GITHUB_TOKEN"
	}
	if opts.Backoff == nil {
		opts.Backoff = func() backoff.BackOff {
			b := backoff.NewExponentialBackOff()
			b.MaxElapsedTime = 2 * time.Minute
			return b
		}
	}
	return &Orgs{opts: opts}
}

// Audit reports the members of each organization with 2FA disabled.
func (o *Orgs) Audit(ctx context.Context, q infra.Query) []infra.Finding {
	if !q.Has(infra.CheckGitHub2FA) {
		return nil
	}
	var out []infra.Finding
	for _, org := range o.opts.Orgs {
		out = append(out, o.audit(ctx, org)...)
	}
	return out
}

func (o *Orgs) audit(ctx context.Context, org string) []infra.Finding {
	account := "github/" + org
	if o.opts.Token == "" {
		return []infra.Finding{failure(account, "list members of "+org+" without 2FA",
			o.opts.TokenEnv+" is not set (a token of an organization owner with read:org)")}
	}
	members, err := o.members(ctx, org)
	out := make([]infra.Finding, 0, len(members)+1)
	for _, m := range members {
		out = append(out, infra.Finding{Check: infra.CheckGitHub2FA, Severity: infra.SeverityHigh,
			Account: account, Resource: m.Login, ID: m.Login,
			Detail: "two-factor authentication disabled"})
	}
	if err != nil {
		out = append(out, failure(account, "list members of "+org+" without 2FA", err.Error()))
	}
	return out
}

func failure(account, what, why string) infra.Finding {
	return infra.Finding{Check: infra.CheckGitHub2FA, Severity: infra.SeverityError, Account: account,
		ID: "error: " + what, Detail: "could not " + what + ": " + why}
}
