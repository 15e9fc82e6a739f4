package config_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/opsbot/opsbot/config"
)

func TestAuditsDefaults(t *testing.T) {
	a := config.Default().Audits
	if !reflect.DeepEqual(a.PublicPorts, []int{80, 443}) || a.AccessKeyMaxAgeDays != 90 || a.InstancesWindow != 24*time.Hour ||
		a.MaxAttempts != 10 || a.GitHub.TokenEnv != "GITHUB_TOKEN" || a.GitHub.BaseURL != "https://api.github.com" || len(a.Accounts) != 0 {
		t.Fatalf("defaults %+v", a)
	}
}

func TestAuditsGood(t *testing.T) {
	c, err := config.Load("testdata/audits_good.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Audits
	want := []config.AuditAccount{
		{Name: "prod", RoleARN: "arn:aws:iam::123456789012:role/opsbot-audit", ExternalID: "opsbot", Regions: []string{"eu-west-1", "us-east-1"}},
		{Name: "staging", Profile: "staging", Regions: []string{"eu-west-1"}, Endpoint: "http://127.0.0.1:4566"},
	}
	if !reflect.DeepEqual(a.Accounts, want) {
		t.Errorf("accounts %+v", a.Accounts)
	}
	if !reflect.DeepEqual(a.PublicPorts, []int{80, 443, 8443}) || a.AccessKeyMaxAgeDays != 180 || a.InstancesWindow != 12*time.Hour ||
		!reflect.DeepEqual(a.OwnerTags, []string{"Owner"}) || !reflect.DeepEqual(a.ExpectedLoadBalancers, []string{"shop", "api-public"}) {
		t.Errorf("audits %+v", a)
	}
	if a.GitHub.TokenEnv != "OPSBOT_GITHUB_TOKEN" || a.GitHub.BaseURL != "https://api.github.com" || a.GitHub.Orgs[0] != "acme" {
		t.Errorf("github %+v", a.GitHub)
	}
}
