// Package setup builds the infrastructure Auditor from config: the AWS
// accounts (infra/aws), the GitHub organizations (infra/github) and the
// warehouse that keeps the daily runs. It is the one place that knows
// every implementation, so that they need not know each other.
//
// A configuration:
//
//	audits:
//	  accounts:
//	    - name: prod
//	      role_arn: arn:aws:iam::123456789012:role/opsbot-audit
//	      regions: [eu-west-1, us-east-1]
//	  expected_load_balancers: [shop-public]
//	  github:
//	    orgs: [acme]          # token from $GITHUB_TOKEN (audits.github.token_env)
//	schedules:
//	  jobs:
//	    infra-audit: {cron: "0 8 * * *"}
package setup

import (
	"os"
	"time"

	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/aws"
	"github.com/opsbot/opsbot/infra/github"
	"github.com/opsbot/opsbot/warehouse"
)

// New returns the Auditor for c, recording to w (nil: no history). The
// GitHub token is read from the environment variable c.GitHub.TokenEnv;
// AWS credentials from the SDK's default chain.
func New(c config.Audits, w warehouse.Warehouse) *infra.Auditor {
	return infra.New(Sources(c, os.Getenv), w, infra.Options{InstancesWindow: c.InstancesWindow})
}

// Sources are the configured providers; getenv reads the GitHub token.
func Sources(c config.Audits, getenv func(string) string) []infra.Source {
	var out []infra.Source
	if len(c.Accounts) > 0 {
		out = append(out, aws.New(AWSOptions(c)))
	}
	if len(c.GitHub.Orgs) > 0 {
		out = append(out, github.New(github.Options{Orgs: c.GitHub.Orgs, Token: getenv(c.GitHub.TokenEnv),
			TokenEnv: c.GitHub.TokenEnv, BaseURL: c.GitHub.BaseURL}))
	}
	return out
}

// AWSOptions maps the audits config onto the AWS audit's options.
func AWSOptions(c config.Audits) aws.Options {
	o := aws.Options{PublicPorts: c.PublicPorts, ExpectedLoadBalancers: c.ExpectedLoadBalancers,
		OwnerTags: c.OwnerTags, MaxAttempts: c.MaxAttempts, Parallel: c.Parallel,
		AccessKeyMaxAge: time.Duration(c.AccessKeyMaxAgeDays) * 24 * time.Hour}
	for _, a := range c.Accounts {
		o.Accounts = append(o.Accounts, aws.Account{Name: a.Name, RoleARN: a.RoleARN, ExternalID: a.ExternalID,
			Profile: a.Profile, Regions: a.Regions, Endpoint: a.Endpoint})
	}
	return o
}
