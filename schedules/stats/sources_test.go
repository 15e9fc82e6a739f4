package stats_test

import (
	"os"
	"time"

	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/aws"
	"github.com/opsbot/opsbot/infra/github"
	"github.com/opsbot/opsbot/warehouse"
)

// awsOptions is the audits: section as cmd/opsbot's wire.go maps it.
func awsOptions(c config.Audits) aws.Options {
	o := aws.Options{PublicPorts: c.PublicPorts, ExpectedLoadBalancers: c.ExpectedLoadBalancers,
		OwnerTags: c.OwnerTags, MaxAttempts: c.MaxAttempts, Parallel: c.Parallel,
		AccessKeyMaxAge: time.Duration(c.AccessKeyMaxAgeDays) * 24 * time.Hour}
	for _, a := range c.Accounts {
		o.Accounts = append(o.Accounts, aws.Account{Name: a.Name, Regions: a.Regions, Endpoint: a.Endpoint})
	}
	return o
}

// auditor is the infra audit over the section's AWS accounts and GitHub
// organizations, recording to w.
func auditor(c config.Audits, w warehouse.Warehouse) *infra.Auditor {
	gh := github.New(github.Options{Orgs: c.GitHub.Orgs, Token: os.Getenv(c.GitHub.TokenEnv), TokenEnv: c.GitHub.TokenEnv, BaseURL: c.GitHub.BaseURL})
	return infra.New([]infra.Source{aws.New(awsOptions(c)), gh}, w, infra.Options{InstancesWindow: c.InstancesWindow})
}
