package infra_test

import (
	"strings"
	"testing"

	"github.com/opsbot/opsbot/infra"
)

func keys(fs []infra.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Resource)
	}
	return strings.Join(out, ",")
}

func TestCompare(t *testing.T) {
	sg := func(region, res string) infra.Finding {
		return infra.Finding{Check: infra.CheckSecurityGroups, Severity: infra.SeverityHigh, Account: "prod", Region: region, Resource: res, ID: res + " tcp/22"}
	}
	user := func(name string, c infra.Check) infra.Finding {
		return infra.Finding{Check: c, Severity: infra.SeverityHigh, Account: "prod", Resource: name, ID: name}
	}
	fail := func(c infra.Check, region, res string) infra.Finding {
		return infra.Finding{Check: c, Severity: infra.SeverityError, Account: "prod", Region: region, Resource: res, ID: "error"}
	}
	inst := infra.Finding{Check: infra.CheckInstances, Severity: infra.SeverityInfo, Account: "prod", Region: "eu-west-1", Resource: "i-1"}
	prev := []infra.Finding{sg("eu-west-1", "sg-a"), sg("us-east-1", "sg-b"), sg("us-east-1", "sg-gone"),
		user("alice", infra.CheckMFA), user("bob", infra.CheckMFA), user("carol", infra.CheckAccessKeys), inst}
	cur := []infra.Finding{
		sg("us-east-1", "sg-b"), sg("us-east-1", "sg-new"),
		fail(infra.CheckSecurityGroups, "eu-west-1", ""), // sg-a unknown: not fixed
		fail(infra.CheckMFA, "", "bob"),                  // bob unknown: not fixed
		user("dave", infra.CheckMFA),
	}
	d := infra.Compare(prev, cur)
	if got := keys(d.New); got != "sg-new,dave" {
		t.Errorf("new %s", got)
	}
	// carol's key is gone: fixed. The ListUsers-wide error would hide it:
	if got := keys(d.Fixed); got != "sg-gone,alice,carol" {
		t.Errorf("fixed %s", got)
	}
	cur = append(cur, fail(infra.CheckMFA, "", "")) // IAM could not be listed at all
	if got := keys(infra.Compare(prev, cur).Fixed); got != "sg-gone" {
		t.Errorf("fixed with IAM unreadable: %s (an access key is in the IAM family)", got)
	}
	// What the previous run could not see is not new now.
	if got := keys(infra.Compare([]infra.Finding{fail(infra.CheckSecurityGroups, "us-east-1", "")}, cur).New); got != "dave" {
		t.Errorf("new after an error: %s", got)
	}
}
