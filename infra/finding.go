// Package infra audits the team's own infrastructure: IAM users who sign in
// without MFA, old access keys, security groups open to the world, load
// balancers nobody expected to be public, listeners without TLS, instances
// launched lately, and GitHub members without two-factor authentication.
//
// Providers live in sub-packages (infra/aws, infra/github) and implement
// Source. An Auditor runs them; its Job posts the daily report (what is
// new and what got fixed since the previous run, kept in the
// audit_findings table) and its Skill answers `mfa audit`, `security
// groups`, `load balancers` and `instances [WINDOW]` in chat.
package infra

import (
	"context"
	"strings"
	"time"
)

// Check names one kind of finding. The names are stored in
// audit_findings.check, so they never change.
type Check string

// Checks.
const (
	CheckMFA            Check = "iam-no-mfa"           // console password, no MFA device
	CheckAccessKeys     Check = "iam-old-access-key"   // active key older than the configured age
	CheckSecurityGroups Check = "open-security-group"  // ingress from 0.0.0.0/0 or ::/0 on a non-public port
	CheckLoadBalancers  Check = "public-load-balancer" // internet-facing and not expected
	CheckListeners      Check = "listener-without-tls" // HTTP/TCP listener on an internet-facing LB
	CheckInstances      Check = "new-instance"         // launched within the window
	CheckGitHub2FA      Check = "github-no-2fa"        // org member with 2FA disabled
)

// AllChecks is every check, in report order.
var AllChecks = []Check{CheckMFA, CheckGitHub2FA, CheckAccessKeys, CheckSecurityGroups,
	CheckLoadBalancers, CheckListeners, CheckInstances}

// Family groups checks that one API failure makes unknowable together
// (one ListUsers error hides both MFA and access-key findings).
func (c Check) Family() string {
	switch c {
	case CheckMFA, CheckAccessKeys:
		return "iam"
	case CheckLoadBalancers, CheckListeners:
		return "elb"
	}
	return string(c)
}

// Tracked says whether the daily report diffs this check against the
// previous run. Instances are listed by launch window instead.
func (c Check) Tracked() bool { return c != CheckInstances }

// Severity ranks findings. SeverityError marks a check that could not run.
type Severity string

// Severities, most pressing first.
const (
	SeverityError  Severity = "error"
	SeverityHigh   Severity = "high"
	SeverityMedium Severity = "medium"
	SeverityLow    Severity = "low"
	SeverityInfo   Severity = "info"
)

// Rank orders severities: 0 is the most pressing.
func (s Severity) Rank() int {
	switch s {
	case SeverityError:
		return 0
	case SeverityHigh:
		return 1
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 3
	}
	return 4
}

// Finding is one thing to look at, or (SeverityError) one thing that could
// not be checked.
type Finding struct {
	Check    Check
	Severity Severity
	Account  string    // AWS account name from config, or "github/ORG"
	Region   string    // "" for global services (IAM, GitHub)
	Resource string    // "sg-0abc (web)", "alice", "i-0123 (batch-1)"
	ID       string    // stable identity within Check, Account, Region (default Resource)
	Owner    string    // from tags where they say so; "" when unknown
	Detail   string    // what is wrong, for people
	At       time.Time // when it started, where known (launch, key creation)
}

// Key identifies a finding across runs.
func (f Finding) Key() string {
	id := f.ID
	if id == "" {
		id = f.Resource
	}
	return strings.Join([]string{string(f.Check), f.Account, f.Region, id}, "\x1f")
}

// IsError says the finding reports a check that could not run.
func (f Finding) IsError() bool { return f.Severity == SeverityError }

// Covers says whether error finding e makes f unknowable: same account,
// region and check family, and the whole scope or f's resource failed.
func (e Finding) Covers(f Finding) bool {
	return e.IsError() && e.Account == f.Account && e.Region == f.Region &&
		e.Check.Family() == f.Check.Family() && (e.Resource == "" || e.Resource == f.Resource)
}

// Query says what to check.
type Query struct {
	Checks []Check
	Now    time.Time
	Since  time.Time // CheckInstances: launched at or after
}

// Has says whether q asks for check c.
func (q Query) Has(c Check) bool {
	for _, x := range q.Checks {
		if x == c {
			return true
		}
	}
	return false
}

// Source is one provider's checks (the configured AWS accounts, a GitHub
// organization).
//
// Contract: Audit runs the checks in q that the source knows and ignores
// the others. It returns every finding it made, and reports each API
// failure as a Finding with SeverityError whose Detail names what could not
// be checked and why ("could not list security groups in eu-west-1:
// AccessDenied: …"): one failure never hides the other checks' findings,
// and Audit never fails as a whole. Throttling is retried before it counts
// as a failure. Audit is safe for concurrent use.
type Source interface {
	Audit(ctx context.Context, q Query) []Finding
}
