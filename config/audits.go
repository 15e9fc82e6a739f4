package config

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Audits is the `audits:` section: which AWS accounts and GitHub
// organizations the daily infrastructure audit (job infra-audit) and the
// chat commands `mfa audit`, `security groups`, `load balancers` and
// `instances` look at, and what counts as a finding.
//
// Credentials come from the AWS SDK's default chain (environment, shared
// config, SSO, instance role), optionally through an assumed role per
// account; the GitHub token from the variable named by github.token_env.
type Audits struct {
	Accounts []AuditAccount `yaml:"accounts"`
	// PublicPorts may be open to 0.0.0.0/0 and ::/0 (default 80, 443).
	PublicPorts []int `yaml:"public_ports"`
	// AccessKeyMaxAgeDays: active IAM access keys older than this are
	// findings (default 90).
	AccessKeyMaxAgeDays int `yaml:"access_key_max_age_days"`
	// ExpectedLoadBalancers are internet-facing load balancers that are
	// meant to be: names, ARNs or DNS names.
	ExpectedLoadBalancers []string `yaml:"expected_load_balancers"`
	// OwnerTags name the tags that say who owns a resource, first match
	// wins (default Owner, owner, Team, team).
	OwnerTags []string `yaml:"owner_tags"`
	// InstancesWindow: the daily audit lists instances launched within it
	// (default 24h).
	InstancesWindow time.Duration `yaml:"instances_window"`
	// MaxAttempts per AWS call, throttling retries included (default 10).
	MaxAttempts int `yaml:"max_attempts"`
	// Parallel AWS calls at most (default 4).
	Parallel int `yaml:"parallel"`

	GitHub AuditGitHub `yaml:"github"`
}

// AuditAccount is one AWS account to audit.
type AuditAccount struct {
	Name string `yaml:"name"` // how reports name it, e.g. "prod"
	// RoleARN, when set, is assumed (through STS) from the default
	// credentials before any call in this account.
	RoleARN    string `yaml:"role_arn"`
	ExternalID string `yaml:"external_id"`
	// Profile is a shared config profile for the default chain.
	Profile string   `yaml:"profile"`
	Regions []string `yaml:"regions"` // IAM (global) is read through the first
	// Endpoint overrides every AWS API endpoint of this account (loopback
	// tests, LocalStack).
	Endpoint string `yaml:"endpoint"`
}

// AuditGitHub names the GitHub organizations whose members must use 2FA.
type AuditGitHub struct {
	Orgs     []string `yaml:"orgs"`
	TokenEnv string   `yaml:"token_env"` // default GITHUB_TOKEN
	BaseURL  string   `yaml:"base_url"`  // default https://api.github.com
}

func (c *Audits) defaults() {
	c.PublicPorts = []int{80, 443}
	c.AccessKeyMaxAgeDays = 90
	c.OwnerTags = []string{"Owner", "owner", "Team", "team"}
	c.InstancesWindow = 24 * time.Hour
	c.MaxAttempts = 10
	c.Parallel = 4
	c.GitHub.TokenEnv = "GITHUB_TOKEN"
	c.GitHub.BaseURL = "https://api.github.com"
}

var (
	auditRegionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	auditRoleRE    = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/.+$`)
	auditEnvNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	auditOrgRE     = regexp.MustCompile(`^[A-Za-z0-9](-?[A-Za-z0-9])*$`)
)

func (c *Audits) validate() error {
	seen := map[string]bool{}
	for i, a := range c.Accounts {
		if err := a.validate(i); err != nil {
			return err
		}
		if seen[a.Name] {
			return fieldErr(auditField(i, "name"), "account %q is listed twice", a.Name)
		}
		seen[a.Name] = true
	}
	for _, p := range c.PublicPorts {
		if p < 1 || p > 65535 {
			return fieldErr("audits.public_ports", "port %d is not between 1 and 65535", p)
		}
	}
	if c.AccessKeyMaxAgeDays < 1 {
		return fieldErr("audits.access_key_max_age_days", "must be at least 1, got %d", c.AccessKeyMaxAgeDays)
	}
	if c.InstancesWindow <= 0 {
		return fieldErr("audits.instances_window", "must be a positive duration such as 24h, got %s", c.InstancesWindow)
	}
	if c.MaxAttempts < 1 || c.MaxAttempts > 50 {
		return fieldErr("audits.max_attempts", "must be between 1 and 50, got %d", c.MaxAttempts)
	}
	if c.Parallel < 1 || c.Parallel > 64 {
		return fieldErr("audits.parallel", "must be between 1 and 64, got %d", c.Parallel)
	}
	for _, t := range c.OwnerTags {
		if strings.TrimSpace(t) == "" {
			return fieldErr("audits.owner_tags", "a tag name is empty")
		}
	}
	return c.GitHub.validate()
}

func (a *AuditAccount) validate(i int) error {
	if strings.TrimSpace(a.Name) == "" {
		return fieldErr(auditField(i, "name"), "every account needs a name (how reports call it, e.g. prod)")
	}
	if len(a.Regions) == 0 {
		return fieldErr(auditField(i, "regions"), "account %q lists no regions (e.g. [eu-west-1])", a.Name)
	}
	for _, r := range a.Regions {
		if !auditRegionRE.MatchString(r) {
			return fieldErr(auditField(i, "regions"), "%q is not an AWS region name such as eu-west-1", r)
		}
	}
	if a.RoleARN != "" && !auditRoleRE.MatchString(a.RoleARN) {
		return fieldErr(auditField(i, "role_arn"), "%q is not a role ARN such as arn:aws:iam::123456789012:role/opsbot-audit", a.RoleARN)
	}
	if a.ExternalID != "" && a.RoleARN == "" {
		return fieldErr(auditField(i, "external_id"), "is only used with role_arn")
	}
	if a.Endpoint != "" && !auditHTTPURL(a.Endpoint) {
		return fieldErr(auditField(i, "endpoint"), "%q is not an http(s) URL", a.Endpoint)
	}
	return nil
}

func (g *AuditGitHub) validate() error {
	for _, o := range g.Orgs {
		if !auditOrgRE.MatchString(o) {
			return fieldErr("audits.github.orgs", "%q is not a GitHub organization login", o)
		}
	}
	if !auditEnvNameRE.MatchString(g.TokenEnv) {
		return fieldErr("audits.github.token_env", "%q is not an environment variable name (the token itself never goes in this file)", g.TokenEnv)
	}
	if !auditHTTPURL(g.BaseURL) {
		return fieldErr("audits.github.base_url", "%q is not an http(s) URL", g.BaseURL)
	}
	return nil
}

func auditField(i int, name string) string {
	return "audits.accounts[" + strconv.Itoa(i) + "]." + name
}

func auditHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
