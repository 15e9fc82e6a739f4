package github

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/infratest"
)

const token = "ghp_test0123456789"

func newOrgs(srv *infratest.GitHub, orgs ...string) *Orgs {
	return New(Options{Orgs: orgs, Token: token, TokenEnv: "GITHUB_TOKEN", BaseURL: srv.URL,
		Backoff: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 4) }})
}

func audit(o *Orgs) (found, errs []string) {
	for _, f := range o.Audit(context.Background(), infra.Query{Checks: []infra.Check{infra.CheckGitHub2FA}}) {
		s := strings.Join([]string{string(f.Check), string(f.Severity), f.Account, f.Resource, f.Owner, f.Detail}, "|")
		if f.IsError() {
			errs = append(errs, s)
		} else {
			found = append(found, s)
		}
	}
	return found, errs
}

func same(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestMembersWithout2FA(t *testing.T) {
	srv := infratest.NewGitHub(token, map[string][]string{"acme": {"mallory", "oscar"}, "acme-labs": {}}, 0)
	defer srv.Close()
	found, errs := audit(newOrgs(srv, "acme", "acme-labs"))
	same(t, "errors", errs)
	same(t, "findings", found,
		"github-no-2fa|high|github/acme|mallory||two-factor authentication disabled",
		"github-no-2fa|high|github/acme|oscar||two-factor authentication disabled")
	r := srv.Requests()[0]
	if r.URL.Path != "/orgs/acme/members" || r.URL.Query().Get("filter") != "2fa_disabled" || r.URL.Query().Get("per_page") != "100" {
		t.Errorf("request %s", r.URL)
	}
}

func TestCleanOrganization(t *testing.T) {
	srv := infratest.NewGitHub(token, map[string][]string{"acme": {}}, 0)
	defer srv.Close()
	found, errs := audit(newOrgs(srv, "acme"))
	same(t, "errors", errs)
	same(t, "findings", found)
}

func TestPagesThroughTheLinkHeader(t *testing.T) {
	var logins, want []string
	for i := range 250 {
		l := fmt.Sprintf("dev%03d", i)
		logins = append(logins, l)
		want = append(want, "github-no-2fa|high|github/acme|"+l+"||two-factor authentication disabled")
	}
	srv := infratest.NewGitHub(token, map[string][]string{"acme": logins}, 0)
	defer srv.Close()
	found, errs := audit(newOrgs(srv, "acme"))
	same(t, "errors", errs)
	same(t, "findings", found, want...)
	var pages []string
	for _, r := range srv.Requests() {
		pages = append(pages, r.URL.Query().Get("page"))
	}
	same(t, "pages", pages, "", "2", "3")
}

func TestErrorIsReportedNotRetried(t *testing.T) {
	srv := infratest.NewGitHub(token, map[string][]string{"acme": {"mallory"}}, 0)
	defer srv.Close()
	srv.Fail(infratest.HTTPFault{Status: 403, Message: "You must be an organization owner to filter by 2FA.", Times: -1})
	found, errs := audit(newOrgs(srv, "acme"))
	same(t, "findings", found)
	same(t, "errors", errs, "github-no-2fa|error|github/acme|||could not list members of acme without 2FA: "+
		"GitHub answered 403 Forbidden: You must be an organization owner to filter by 2FA.")
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests for a permanent error", n)
	}
}

func TestErrorOnALaterPageKeepsEarlierMembers(t *testing.T) {
	srv := infratest.NewGitHub(token, map[string][]string{"acme": {"a", "b", "c"}}, 2)
	defer srv.Close()
	srv.Fail(infratest.HTTPFault{Status: 404, Message: "Not Found", Times: -1, After: 1})
	found, errs := audit(newOrgs(srv, "acme"))
	same(t, "findings before the fault", found,
		"github-no-2fa|high|github/acme|a||two-factor authentication disabled",
		"github-no-2fa|high|github/acme|b||two-factor authentication disabled")
	same(t, "errors", errs, "github-no-2fa|error|github/acme|||could not list members of acme without 2FA: GitHub answered 404 Not Found: Not Found")
}

func TestBadTokenNamesTheVariable(t *testing.T) {
	srv := infratest.NewGitHub("another-token", map[string][]string{"acme": {"mallory"}}, 0)
	defer srv.Close()
	_, errs := audit(newOrgs(srv, "acme"))
	same(t, "errors", errs, "github-no-2fa|error|github/acme|||could not list members of acme without 2FA: "+
		"GitHub answered 401 Unauthorized: Bad credentials (check GITHUB_TOKEN)")
}

func TestMissingTokenIsReported(t *testing.T) {
	srv := infratest.NewGitHub(token, map[string][]string{"acme": {"mallory"}}, 0)
	defer srv.Close()
	o := New(Options{Orgs: []string{"acme"}, TokenEnv: "OPSBOT_GH", BaseURL: srv.URL})
	_, errs := audit(o)
	same(t, "errors", errs, "github-no-2fa|error|github/acme|||could not list members of acme without 2FA: "+
		"OPSBOT_GH is not set (a token of an organization owner with read:org)")
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests without a token", n)
	}
}

func TestRateLimitsAreRetried(t *testing.T) {
	srv := infratest.NewGitHub(token, map[string][]string{"acme": {"mallory"}}, 0)
	defer srv.Close()
	srv.Fail(infratest.HTTPFault{Status: 429, Message: "API rate limit exceeded", Times: 1, Header: map[string]string{"Retry-After": "0"}})
	srv.Fail(infratest.HTTPFault{Status: 403, Message: "API rate limit exceeded", Times: 1, Header: map[string]string{"X-RateLimit-Remaining": "0"}})
	srv.Fail(infratest.HTTPFault{Status: 502, Message: "Server Error", Times: 1})
	found, errs := audit(newOrgs(srv, "acme"))
	same(t, "errors", errs)
	same(t, "findings", found, "github-no-2fa|high|github/acme|mallory||two-factor authentication disabled")
	if n := len(srv.Requests()); n != 4 {
		t.Errorf("%d requests, want 3 rate-limited/failed + 1", n)
	}
}

func TestRateLimitBeyondRetriesIsReported(t *testing.T) {
	srv := infratest.NewGitHub(token, map[string][]string{"acme": {"mallory"}}, 0)
	defer srv.Close()
	srv.Fail(infratest.HTTPFault{Status: 429, Message: "API rate limit exceeded", Times: -1})
	_, errs := audit(newOrgs(srv, "acme"))
	same(t, "errors", errs, "github-no-2fa|error|github/acme|||could not list members of acme without 2FA: "+
		"GitHub answered 429 Too Many Requests: API rate limit exceeded (after 5 attempts)")
}

func TestNextLink(t *testing.T) {
	h := `<https://api.github.com/organizations/1/members?filter=2fa_disabled&page=2>; rel="next", <https://api.github.com/organizations/1/members?filter=2fa_disabled&page=9>; rel="last"`
	if got := nextLink(h); got != "https://api.github.com/organizations/1/members?filter=2fa_disabled&page=2" {
		t.Errorf("next %q", got)
	}
	if got := nextLink(`<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first"`); got != "" {
		t.Errorf("last page has next %q", got)
	}
}
