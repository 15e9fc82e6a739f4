package aws

import (
	"fmt"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/infratest"
)

func openSSH(id, name string) infratest.SecurityGroup {
	return infratest.SecurityGroup{ID: id, Name: name, Ingress: []infratest.Rule{{Protocol: "tcp", From: 22, To: 22, CIDRs: []string{"0.0.0.0/0"}}}}
}

func TestSecurityGroupsOpenToTheWorld(t *testing.T) {
	groups := []infratest.SecurityGroup{
		{ID: "sg-web", Name: "web", Ingress: []infratest.Rule{
			{Protocol: "tcp", From: 443, To: 443, CIDRs: []string{"0.0.0.0/0"}, IPv6: []string{"::/0"}},
			{Protocol: "tcp", From: 80, To: 80, IPv6: []string{"::/0"}},
			{Protocol: "udp", From: 443, To: 443, CIDRs: []string{"0.0.0.0/0"}}, // HTTP/3
			{Protocol: "icmp", From: -1, To: -1, CIDRs: []string{"0.0.0.0/0"}},
		}},
		{ID: "sg-admin", Name: "admin", Tags: map[string]string{"Team": "sre", "Name": "admin"}, Ingress: []infratest.Rule{
			{Protocol: "tcp", From: 22, To: 22, CIDRs: []string{"0.0.0.0/0"}, IPv6: []string{"::/0"}},
			{Protocol: "tcp", From: 3389, To: 3389, CIDRs: []string{"10.0.0.0/8"}}, // private: fine
		}},
		{ID: "sg-range", Name: "apps", Tags: map[string]string{"Owner": "payments"}, Ingress: []infratest.Rule{
			{Protocol: "tcp", From: 8000, To: 8100, CIDRs: []string{"0.0.0.0/0"}},
			{Protocol: "tcp", From: 80, To: 443, CIDRs: []string{"0.0.0.0/0"}}, // a range beyond 80 and 443
		}},
		{ID: "sg-all", Name: "debug", Ingress: []infratest.Rule{{Protocol: "-1", IPv6: []string{"::/0"}}}},
	}
	srv := infratest.NewAWS(infratest.World{Regions: map[string]*infratest.Region{"eu-west-1": {SecurityGroups: groups}}})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckSecurityGroups)
	noErrors(t, errs)
	expect(t, found,
		"open-security-group|high|eu-west-1|sg-admin (admin)|sre|tcp/22 (ssh) open to 0.0.0.0/0 and ::/0",
		"open-security-group|medium|eu-west-1|sg-range (apps)|payments|tcp/8000-8100 open to 0.0.0.0/0",
		"open-security-group|medium|eu-west-1|sg-range (apps)|payments|tcp/80-443 open to 0.0.0.0/0",
		"open-security-group|high|eu-west-1|sg-all (debug)||all traffic open to ::/0")
	c := srv.CallsTo("ec2", "DescribeSecurityGroups")
	if len(c) != 1 || c[0].Region != "eu-west-1" || c[0].Params.Get("MaxResults") != "1000" {
		t.Errorf("calls %+v", c)
	}
}

func TestSecurityGroupsCleanAccount(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Regions: map[string]*infratest.Region{"eu-west-1": {SecurityGroups: []infratest.SecurityGroup{
		{ID: "sg-web", Name: "web", Ingress: []infratest.Rule{{Protocol: "tcp", From: 443, To: 443, CIDRs: []string{"0.0.0.0/0"}}}},
		{ID: "sg-db", Name: "db", Ingress: []infratest.Rule{{Protocol: "tcp", From: 5432, To: 5432, CIDRs: []string{"10.1.0.0/16"}}}},
	}}}})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"eu-west-1", "us-east-1"}), infra.CheckSecurityGroups)
	noErrors(t, errs)
	expect(t, found)
	if n := len(srv.CallsTo("ec2", "DescribeSecurityGroups")); n != 2 {
		t.Errorf("%d DescribeSecurityGroups calls, want one per region", n)
	}
}

func TestSecurityGroupsPaging(t *testing.T) {
	var gs []infratest.SecurityGroup
	var want []string
	for i := range 12 {
		id := fmt.Sprintf("sg-%04d", i)
		gs = append(gs, openSSH(id, "g"+fmt.Sprint(i)))
		want = append(want, fmt.Sprintf("open-security-group|high|us-east-1|%s (g%d)||tcp/22 (ssh) open to 0.0.0.0/0", id, i))
	}
	srv := infratest.NewAWS(infratest.World{PageSize: 5, Regions: map[string]*infratest.Region{"us-east-1": {SecurityGroups: gs}}})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"us-east-1"}), infra.CheckSecurityGroups)
	noErrors(t, errs)
	expect(t, found, want...)
	if got := params(srv.CallsTo("ec2", "DescribeSecurityGroups"), "NextToken"); strings.Join(got, ",") != ",5,10" {
		t.Errorf("NextTokens %q, want 3 pages", got)
	}
}

func TestSecurityGroupsErrorInOneRegion(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Regions: map[string]*infratest.Region{
		"eu-west-1": {SecurityGroups: []infratest.SecurityGroup{openSSH("sg-eu", "eu")}},
		"us-east-1": {SecurityGroups: []infratest.SecurityGroup{openSSH("sg-us", "us")}},
	}})
	defer srv.Close()
	srv.Fail(infratest.Fault{Service: "ec2", Action: "DescribeSecurityGroups", Region: "eu-west-1", Status: 403, Times: -1,
		Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."})
	found, errs := audit(t, newSource(srv, []string{"eu-west-1", "us-east-1"}), infra.CheckSecurityGroups)
	expect(t, errs, "open-security-group|error|eu-west-1|||could not list security groups in eu-west-1: UnauthorizedOperation: You are not authorized to perform this operation.")
	expect(t, found, "open-security-group|high|us-east-1|sg-us (us)||tcp/22 (ssh) open to 0.0.0.0/0")
}

func TestSecurityGroupsRequestLimitExceededIsRetried(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Regions: map[string]*infratest.Region{"eu-west-1": {SecurityGroups: []infratest.SecurityGroup{openSSH("sg-1", "one")}}}})
	defer srv.Close()
	srv.Fail(infratest.Fault{Service: "ec2", Action: "DescribeSecurityGroups", Status: 503, Code: "RequestLimitExceeded", Message: "Request limit exceeded.", Times: 2})
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckSecurityGroups)
	noErrors(t, errs)
	expect(t, found, "open-security-group|high|eu-west-1|sg-1 (one)||tcp/22 (ssh) open to 0.0.0.0/0")
	if n := len(srv.CallsTo("ec2", "DescribeSecurityGroups")); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

func TestPortExposure(t *testing.T) {
	s := &scope{a: New(Options{PublicPorts: []int{80, 443}})}
	for _, c := range []struct {
		from, to int32
		label    string
		sev      infra.Severity
		open     bool
	}{
		{80, 80, "", "", false},
		{443, 443, "", "", false},
		{81, 442, "tcp/81-442", infra.SeverityMedium, true},
		{0, 65535, "tcp/0-65535 (ftp, ssh, telnet, …)", infra.SeverityHigh, true},
		{3306, 3306, "tcp/3306 (mysql)", infra.SeverityHigh, true},
		{-1, -1, "tcp/0-65535 (ftp, ssh, telnet, …)", infra.SeverityHigh, true},
	} {
		label, sev, open := s.portExposure("tcp", c.from, c.to)
		if label != c.label || sev != c.sev || open != c.open {
			t.Errorf("%d-%d: %q %q %v, want %q %q %v", c.from, c.to, label, sev, open, c.label, c.sev, c.open)
		}
	}
}
