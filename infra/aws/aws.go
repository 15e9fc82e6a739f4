// Package aws audits AWS accounts through aws-sdk-go-v2: IAM users who sign
// in without MFA and old access keys (IAM), security groups open to the
// world (EC2), internet-facing load balancers and their listeners (ELBv2 and
// classic ELB), and recently launched instances (EC2). *Accounts implements
// infra.Source.
//
// Credentials come from the SDK's default chain, optionally through an
// assumed role per account. Throttling (Throttling, RequestLimitExceeded …)
// is retried by the SDK's standard retryer with Options.MaxAttempts and no
// retry quota; any other API error becomes an error finding that names the
// call and region, and the other checks carry on.
//
// Permissions (the SecurityAudit managed policy covers them all):
// iam:ListUsers, iam:GetLoginProfile, iam:ListMFADevices,
// iam:ListAccessKeys, iam:ListUserTags, ec2:DescribeSecurityGroups,
// ec2:DescribeInstances, elasticloadbalancing:DescribeLoadBalancers,
// elasticloadbalancing:DescribeListeners, elasticloadbalancing:DescribeTags,
// and sts:AssumeRole on each account's role_arn when one is set; the
// weekly statistics' cost (schedules.stats.cost_explorer, off by default)
// also needs ce:GetCostAndUsage, which SecurityAudit does not grant.
package aws

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/opsbot/opsbot/infra"
)

// Account is one AWS account to audit.
type Account struct {
	Name       string   // how reports call it
	RoleARN    string   // assumed before any call, when set
	ExternalID string   // for RoleARN, when the role requires one
	Profile    string   // shared config profile, when set
	Regions    []string // IAM (global) is read through the first
	Endpoint   string   // overrides every AWS endpoint (tests, LocalStack)
}

// Options configure the audits.
type Options struct {
	Accounts              []Account
	PublicPorts           []int         // may be open to the world
	AccessKeyMaxAge       time.Duration // older active keys are findings
	ExpectedLoadBalancers []string      // names, ARNs or DNS names
	OwnerTags             []string      // tag keys naming an owner, first wins
	MaxAttempts           int           // per call, throttling retries included
	Parallel              int           // account×region×check tasks at once

	// Credentials replaces the default chain (tests); nil uses the chain.
	Credentials sdkaws.CredentialsProvider
	// Backoff replaces the SDK's retry delays (tests use zero delays).
	Backoff retry.BackoffDelayer
	// HTTPClient replaces the SDK's HTTP client.
	HTTPClient *http.Client
}

// Accounts audits the configured AWS accounts.
type Accounts struct {
	opts     Options
	public   map[int32]bool
	expected map[string]bool
	sem      chan struct{}

	mu    sync.Mutex
	cfgs  map[string]sdkaws.Config
	creds map[string]sdkaws.CredentialsProvider
}

var _ infra.Source = (*Accounts)(nil)

// New returns the audits of opts.Accounts.
func New(opts Options) *Accounts {
	if opts.MaxAttempts < 1 {
		opts.MaxAttempts = 10
	}
	if opts.Parallel < 1 {
		opts.Parallel = 4
	}
	if opts.AccessKeyMaxAge <= 0 {
		opts.AccessKeyMaxAge = 90 * 24 * time.Hour
	}
	a := &Accounts{opts: opts, public: map[int32]bool{}, expected: map[string]bool{},
		sem: make(chan struct{}, opts.Parallel), cfgs: map[string]sdkaws.Config{},
		creds: map[string]sdkaws.CredentialsProvider{}}
	for _, p := range opts.PublicPorts {
		a.public[int32(p)] = true
	}
	for _, e := range opts.ExpectedLoadBalancers {
		a.expected[strings.ToLower(e)] = true
	}
	return a
}

// Audit runs the AWS checks in q across every account and region.
func (a *Accounts) Audit(ctx context.Context, q infra.Query) []infra.Finding {
	var (
		mu  sync.Mutex
		out []infra.Finding
		wg  sync.WaitGroup
	)
	run := func(acct Account, region string, task taskFunc, checks ...infra.Check) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.sem <- struct{}{}
			defer func() { <-a.sem }()
			fs := a.runTask(ctx, acct, region, q, task, checks)
			mu.Lock()
			out = append(out, fs...)
			mu.Unlock()
		}()
	}
	for _, acct := range a.opts.Accounts {
		if len(acct.Regions) > 0 && (q.Has(infra.CheckMFA) || q.Has(infra.CheckAccessKeys)) {
			run(acct, acct.Regions[0], (*scope).iamUsers, infra.CheckMFA)
		}
		for _, r := range acct.Regions {
			a.regionTasks(q, acct, r, run)
		}
	}
	wg.Wait()
	return out
}

// taskFunc is one check's work in one scope.
type taskFunc = func(*scope, context.Context) []infra.Finding

type runFunc func(Account, string, taskFunc, ...infra.Check)

func (a *Accounts) regionTasks(q infra.Query, acct Account, r string, run runFunc) {
	if q.Has(infra.CheckSecurityGroups) {
		run(acct, r, (*scope).securityGroups, infra.CheckSecurityGroups)
	}
	if q.Has(infra.CheckLoadBalancers) || q.Has(infra.CheckListeners) {
		run(acct, r, (*scope).loadBalancersV2, infra.CheckLoadBalancers)
		run(acct, r, (*scope).classicLoadBalancers, infra.CheckLoadBalancers)
	}
	if q.Has(infra.CheckInstances) {
		run(acct, r, (*scope).instances, infra.CheckInstances)
	}
}

// runTask loads the account's configuration for region and runs task; a
// configuration failure is reported once for the task's check.
func (a *Accounts) runTask(ctx context.Context, acct Account, region string, q infra.Query,
	task taskFunc, checks []infra.Check) []infra.Finding {
	cfg, err := a.config(ctx, acct, region)
	s := &scope{a: a, acct: acct, region: region, cfg: cfg, q: q}
	if err != nil {
		if checks[0].Family() == "iam" {
			s = s.global()
		}
		return []infra.Finding{s.fail(checks[0], "", "load AWS configuration for "+acct.Name+" in "+region, err)}
	}
	return task(s, ctx)
}

// config is the SDK configuration for one account and region, cached.
func (a *Accounts) config(ctx context.Context, acct Account, region string) (sdkaws.Config, error) {
	key := acct.Name + "\x1f" + region
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.cfgs[key]; ok {
		return c, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx, a.loadOptions(acct, region)...)
	if err != nil {
		return cfg, err
	}
	if acct.RoleARN != "" {
		cfg.Credentials = a.assumed(acct, cfg)
	}
	a.cfgs[key] = cfg
	return cfg, nil
}

func (a *Accounts) loadOptions(acct Account, region string) []func(*config.LoadOptions) error {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithRetryer(a.retryer),
	}
	if acct.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(acct.Profile))
	}
	if a.opts.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(a.opts.Credentials))
	}
	if a.opts.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(a.opts.HTTPClient))
	}
	if acct.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(acct.Endpoint))
	}
	return opts
}

// assumed is the account's assumed-role credentials, shared by its regions
// (one AssumeRole per account, refreshed before expiry). Call with a.mu held.
func (a *Accounts) assumed(acct Account, base sdkaws.Config) sdkaws.CredentialsProvider {
	if p, ok := a.creds[acct.Name]; ok {
		return p
	}
	p := sdkaws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), acct.RoleARN,
		func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "opsbot-audit"
			if acct.ExternalID != "" {
				o.ExternalID = sdkaws.String(acct.ExternalID)
			}
		}))
	a.creds[acct.Name] = p
	return p
}

// retryer retries throttling and transient errors up to MaxAttempts, with
// no client-side retry quota: an audit makes many calls and must not give
// up because earlier calls were throttled.
func (a *Accounts) retryer() sdkaws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = a.opts.MaxAttempts
		o.RateLimiter = ratelimit.None
		if a.opts.Backoff != nil {
			o.Backoff = a.opts.Backoff
		}
	})
}
