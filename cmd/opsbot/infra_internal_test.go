package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/infra/infratest"
)

// TestFromConfigDryRun is `opsbot schedules run infra-audit --dry-run`
// against loopback accounts: config as a user writes it, credentials from
// the SDK's default chain (the environment), the GitHub token from the
// variable config names.
func TestFromConfigDryRun(t *testing.T) {
	now := time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", infratest.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", infratest.SecretKey)
	t.Setenv("OPSBOT_TEST_GITHUB_TOKEN", "tok")
	prod := infratest.NewAWS(infratest.World{
		Users: []infratest.User{{Name: "alice", Password: &now, Keys: []infratest.AccessKey{{ID: "AKIAOLD0000000000001", Created: now.AddDate(-1, 0, 0)}}}},
		Regions: map[string]*infratest.Region{"eu-west-1": {
			SecurityGroups: []infratest.SecurityGroup{{ID: "sg-1", Name: "bastion", Ingress: []infratest.Rule{{Protocol: "tcp", From: 22, To: 22, CIDRs: []string{"0.0.0.0/0"}}}}},
			LoadBalancers: []infratest.LoadBalancer{
				{Name: "shop", Type: "application", Scheme: "internet-facing", Listeners: []infratest.Listener{{Protocol: "HTTPS", Port: 443}}},
				{Name: "surprise", Type: "application", Scheme: "internet-facing", Listeners: []infratest.Listener{{Protocol: "HTTP", Port: 80}}},
			},
		}},
	})
	defer prod.Close()
	gh := infratest.NewGitHub("tok", map[string][]string{"acme": {"mallory"}}, 0)
	defer gh.Close()

	c := config.Default()
	y := `
audits:
  accounts:
    - name: prod
      regions: [eu-west-1]
      endpoint: ` + prod.URL + `
  expected_load_balancers: [shop]
  github:
    orgs: [acme]
    token_env: OPSBOT_TEST_GITHUB_TOKEN
    base_url: ` + gh.URL + `
`
	if err := config.Decode([]byte(y), c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := infraAuditor(c.Audits, nil, os.Getenv).DryRun(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Infrastructure audit, Tue 24 Nov 2026: 6 findings",
		"alice (prod) and @mallory (github/acme) still sign in with a password alone",
		"key AKIAOLD0000000000001: 365 days old (max 90)",
		"tcp/22 (ssh) open to 0.0.0.0/0",
		"surprise (application)",
		"HTTP :80, no redirect to HTTPS",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "shop (application)") || strings.Contains(out, "Could not check") {
		t.Errorf("unexpected:\n%s", out)
	}
}

// The slack: section reaches the transport: the API base URL and where
// answers go.
func TestSlackOptionsFromConfig(t *testing.T) {
	c := config.Default()
	c.Slack.APIURL, c.Slack.ReplyInThread = "https://slack-gov.com/api/", false
	o := slackOptions(c.Slack)
	if o.APIURL != "https://slack-gov.com/api/" || !o.TopLevel {
		t.Fatalf("options %+v", o)
	}
}
