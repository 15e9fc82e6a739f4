package aws

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/infratest"
)

func TestInstancesLaunchedWithinTheWindow(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Regions: map[string]*infratest.Region{"eu-west-1": {Instances: []infratest.Instance{
		{ID: "i-0new", Type: "t3.large", KeyName: "deploy", Launched: now.Add(-30 * time.Minute), Tags: map[string]string{"Name": "batch-1", "Owner": "data"}},
		{ID: "i-0edge", Type: "t3.micro", State: "terminated", Launched: now.Add(-time.Hour)}, // at the window's start: in
		{ID: "i-0old", Type: "m5.xlarge", Launched: now.Add(-2 * time.Hour)},
		{ID: "i-0older", Type: "m5.xlarge", Launched: now.AddDate(0, 0, -3)},
	}}}})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckInstances)
	noErrors(t, errs)
	expect(t, found,
		"new-instance|info|eu-west-1|i-0new (batch-1)|data|t3.large, running, key deploy",
		"new-instance|info|eu-west-1|i-0edge||t3.micro, terminated")
	for _, f := range found {
		if f.ID == "i-0new" && !f.At.Equal(now.Add(-30*time.Minute)) {
			t.Errorf("launch time %v", f.At)
		}
	}
}

func TestInstancesCleanAccount(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Regions: map[string]*infratest.Region{"eu-west-1": {Instances: []infratest.Instance{
		{ID: "i-0old", Type: "m5.xlarge", Launched: now.AddDate(-1, 0, 0)}}}}})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"eu-west-1", "eu-central-1"}), infra.CheckInstances)
	noErrors(t, errs)
	expect(t, found)
}

func TestInstancesPaging(t *testing.T) {
	var ins []infratest.Instance
	var want []string
	for i := range 11 {
		id := fmt.Sprintf("i-%04d", i)
		ins = append(ins, infratest.Instance{ID: id, Type: "c7g.large", Launched: now.Add(-time.Duration(i) * time.Minute)})
		want = append(want, "new-instance|info|ap-southeast-2|"+id+"||c7g.large, running")
	}
	srv := infratest.NewAWS(infratest.World{PageSize: 5, Regions: map[string]*infratest.Region{"ap-southeast-2": {Instances: ins}}})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"ap-southeast-2"}), infra.CheckInstances)
	noErrors(t, errs)
	expect(t, found, want...)
	if got := params(srv.CallsTo("ec2", "DescribeInstances"), "NextToken"); strings.Join(got, ",") != ",5,10" {
		t.Errorf("NextTokens %q", got)
	}
}

func TestInstancesErrorIsReported(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Regions: map[string]*infratest.Region{"eu-west-1": {Instances: []infratest.Instance{
		{ID: "i-0new", Type: "t3.large", Launched: now}}}}})
	defer srv.Close()
	srv.Fail(infratest.Fault{Service: "ec2", Action: "DescribeInstances", Status: 403, Times: -1, Code: "UnauthorizedOperation",
		Message: "You are not authorized to perform this operation."})
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckInstances, infra.CheckSecurityGroups)
	expect(t, errs, "new-instance|error|eu-west-1|||could not list instances in eu-west-1: UnauthorizedOperation: You are not authorized to perform this operation.")
	expect(t, found)
	if n := len(srv.CallsTo("ec2", "DescribeSecurityGroups")); n != 1 {
		t.Errorf("the security group check did not run on (%d calls)", n)
	}
}

func TestAssumedRoleSignsEveryCall(t *testing.T) {
	role := &infratest.Role{ARN: "arn:aws:iam::210987654321:role/opsbot-audit", ExternalID: "opsbot",
		AccessKeyID: "ASIAASSUMEDROLE00001", Secret: "assumed-secret", SessionToken: "session-token-1"}
	srv := infratest.NewAWS(infratest.World{Role: role, Regions: map[string]*infratest.Region{
		"eu-west-1": {SecurityGroups: []infratest.SecurityGroup{openSSH("sg-eu", "eu")}},
		"us-east-1": {SecurityGroups: []infratest.SecurityGroup{openSSH("sg-us", "us")}},
	}})
	defer srv.Close()
	s := newSource(srv, []string{"eu-west-1", "us-east-1"}, func(o *Options) {
		o.Accounts[0].RoleARN, o.Accounts[0].ExternalID = role.ARN, role.ExternalID
	})
	found, errs := audit(t, s, infra.CheckSecurityGroups)
	noErrors(t, errs)
	expect(t, found,
		"open-security-group|high|eu-west-1|sg-eu (eu)||tcp/22 (ssh) open to 0.0.0.0/0",
		"open-security-group|high|us-east-1|sg-us (us)||tcp/22 (ssh) open to 0.0.0.0/0")
	sts := srv.CallsTo("sts", "AssumeRole")
	if len(sts) != 1 || sts[0].Params.Get("RoleSessionName") != "opsbot-audit" || sts[0].AccessKey != infratest.AccessKeyID {
		t.Fatalf("AssumeRole calls: %+v", sts)
	}
	for _, c := range srv.CallsTo("ec2", "DescribeSecurityGroups") {
		if c.AccessKey != role.AccessKeyID {
			t.Errorf("%s signed with %s, want the role's key", c.Action, c.AccessKey)
		}
	}
}

func TestAssumeRoleRefusedIsReported(t *testing.T) {
	role := &infratest.Role{ARN: "arn:aws:iam::210987654321:role/opsbot-audit", AccessKeyID: "ASIAASSUMEDROLE00001", Secret: "s", SessionToken: "t"}
	srv := infratest.NewAWS(infratest.World{Role: role})
	defer srv.Close()
	s := newSource(srv, []string{"eu-west-1"}, func(o *Options) { o.Accounts[0].RoleARN = "arn:aws:iam::210987654321:role/wrong" })
	_, errs := audit(t, s, infra.CheckSecurityGroups)
	if len(errs) != 1 || !strings.Contains(errs[0].Detail, "could not list security groups in eu-west-1") ||
		!strings.Contains(errs[0].Detail, "AccessDenied") {
		t.Fatalf("errors: %v", brief(errs))
	}
}

func TestUnknownProfileIsReportedPerCheck(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{})
	defer srv.Close()
	s := newSource(srv, []string{"eu-west-1"}, func(o *Options) { o.Accounts[0].Profile = "no-such-profile" })
	_, errs := audit(t, s, infra.CheckMFA, infra.CheckSecurityGroups)
	var got []string
	for _, e := range errs {
		got = append(got, string(e.Check)+"@"+e.Region)
		if !strings.Contains(e.Detail, "could not load AWS configuration for prod in eu-west-1: ") || !strings.Contains(e.Detail, "no-such-profile") {
			t.Errorf("detail %q", e.Detail)
		}
	}
	if strings.Join(got, ",") != "iam-no-mfa@,open-security-group@eu-west-1" && strings.Join(got, ",") != "open-security-group@eu-west-1,iam-no-mfa@" {
		t.Errorf("errors %v, want one per check, IAM without a region", got)
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("%d calls without a configuration", n)
	}
}
