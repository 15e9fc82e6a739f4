package aws

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/infratest"
)

func TestMFAFindsPasswordWithoutDevice(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Users: []infratest.User{
		{Name: "alice", Password: ptime(now.AddDate(-1, 0, 0)), Tags: map[string]string{"Owner": "team-web"}},
		{Name: "bob", Password: ptime(now.AddDate(0, -2, 0)), MFA: []string{"arn:aws:iam::123456789012:mfa/bob"}},
		{Name: "carol"}, // API only: no console password
		{Name: "dave", Password: ptime(now.AddDate(0, 0, -3))},
	}})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckMFA)
	noErrors(t, errs)
	expect(t, found,
		"iam-no-mfa|high||alice|team-web|console password, no MFA device",
		"iam-no-mfa|high||dave||console password, no MFA device")
	if got := sorted(params(srv.CallsTo("iam", "GetLoginProfile"), "UserName")); strings.Join(got, ",") != "alice,bob,carol,dave" {
		t.Errorf("GetLoginProfile for %v", got)
	}
	if got := sorted(params(srv.CallsTo("iam", "ListMFADevices"), "UserName")); strings.Join(got, ",") != "alice,bob,dave" {
		t.Errorf("ListMFADevices for %v, want the users with a password", got)
	}
	if got := sorted(params(srv.CallsTo("iam", "ListUserTags"), "UserName")); strings.Join(got, ",") != "alice,dave" {
		t.Errorf("ListUserTags for %v, want only users with a finding", got)
	}
	if n := len(srv.CallsTo("iam", "ListAccessKeys")); n != 0 {
		t.Errorf("%d ListAccessKeys calls for an MFA-only query", n)
	}
}

func TestAccessKeysOlderThanTheLimit(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Users: []infratest.User{
		{Name: "ci", Tags: map[string]string{"Team": "platform"}, Keys: []infratest.AccessKey{
			{ID: "AKIAOLDACTIVE0000001", Created: now.Add(-200 * 24 * time.Hour)},
			{ID: "AKIAOLDINACTIVE00002", Created: now.Add(-400 * 24 * time.Hour), Inactive: true},
		}},
		{Name: "deploy", Keys: []infratest.AccessKey{{ID: "AKIAFRESH00000000003", Created: now.Add(-89 * 24 * time.Hour)}}},
	}})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckAccessKeys)
	noErrors(t, errs)
	expect(t, found, "iam-old-access-key|medium||ci|platform|key AKIAOLDACTIVE0000001: 200 days old (max 90)")
	if found[0].ID != "AKIAOLDACTIVE0000001" || !found[0].At.Equal(now.Add(-200*24*time.Hour)) {
		t.Errorf("finding id %q at %v", found[0].ID, found[0].At)
	}
	if n := len(srv.CallsTo("iam", "GetLoginProfile")); n != 0 {
		t.Errorf("%d GetLoginProfile calls for a keys-only query", n)
	}
}

func TestIAMCleanAccount(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Users: []infratest.User{
		{Name: "alice", Password: ptime(now), MFA: []string{"arn:aws:iam::123456789012:mfa/alice"},
			Keys: []infratest.AccessKey{{ID: "AKIAFRESH00000000001", Created: now.Add(-time.Hour)}}},
		{Name: "svc"},
	}})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckMFA, infra.CheckAccessKeys)
	noErrors(t, errs)
	expect(t, found)
}

func TestIAMPagesThroughLongLists(t *testing.T) {
	var users []infratest.User
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("user%02d", i)
		// MFA devices and keys are paged too: the device is on the 2nd page.
		users = append(users, infratest.User{Name: name, Password: ptime(now),
			MFA: mfaOn(i%2 == 0, name), Keys: []infratest.AccessKey{
				{ID: fmt.Sprintf("AKIAFRESH%011d", i), Created: now},
				{ID: fmt.Sprintf("AKIAFRESH%011d", 100+i), Created: now},
				{ID: fmt.Sprintf("AKIAOLD%013d", i), Created: now.Add(-100 * 24 * time.Hour)},
			}})
		if i%2 == 1 {
			want = append(want, "iam-no-mfa|high||"+name+"||console password, no MFA device")
		}
		want = append(want, fmt.Sprintf("iam-old-access-key|medium||%s||key AKIAOLD%013d: 100 days old (max 90)", name, i))
	}
	srv := infratest.NewAWS(infratest.World{Users: users, PageSize: 2})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckMFA, infra.CheckAccessKeys)
	noErrors(t, errs)
	expect(t, found, want...)
	if got := params(srv.CallsTo("iam", "ListUsers"), "Marker"); strings.Join(got, ",") != ",2,4,6" {
		t.Errorf("ListUsers markers %q, want 4 pages of 2", got)
	}
	if n := len(srv.CallsTo("iam", "ListAccessKeys")); n != 14 {
		t.Errorf("%d ListAccessKeys calls, want 2 pages for each of 7 users", n)
	}
}

func mfaOn(yes bool, name string) []string {
	if !yes {
		return nil
	}
	return []string{"arn:aws:iam::123456789012:u2f/" + name + "/a", "arn:aws:iam::123456789012:mfa/" + name}
}

func TestIAMErrorsAreReportedNotHidden(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{
		Users:   []infratest.User{{Name: "alice", Password: ptime(now)}},
		Regions: map[string]*infratest.Region{"eu-west-1": {SecurityGroups: []infratest.SecurityGroup{openSSH("sg-0001", "bastion")}}},
	})
	defer srv.Close()
	srv.Fail(infratest.Fault{Service: "iam", Action: "ListUsers", Code: "AccessDenied", Status: 403, Times: -1,
		Message: "User: arn:aws:iam::123456789012:user/opsbot is not authorized to perform: iam:ListUsers"})
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckMFA, infra.CheckAccessKeys, infra.CheckSecurityGroups)
	expect(t, errs, "iam-no-mfa|error|||"+
		"|could not list IAM users: AccessDenied: User: arn:aws:iam::123456789012:user/opsbot is not authorized to perform: iam:ListUsers")
	expect(t, found, "open-security-group|high|eu-west-1|sg-0001 (bastion)||tcp/22 (ssh) open to 0.0.0.0/0")
	if n := len(srv.CallsTo("iam", "ListUsers")); n != 1 {
		t.Errorf("AccessDenied was tried %d times, want once (not retryable)", n)
	}
}

func TestIAMOneUserFailsOthersStillChecked(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Users: []infratest.User{
		{Name: "alice", Password: ptime(now)}, {Name: "bob", Password: ptime(now)}}})
	defer srv.Close()
	srv.Fail(infratest.Fault{Service: "iam", Action: "GetLoginProfile", Code: "AccessDenied", Status: 403, Times: -1, Message: "denied",
		Match: map[string]string{"UserName": "alice"}})
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckMFA)
	expect(t, errs, "iam-no-mfa|error||alice||could not read the login profile of IAM user alice: AccessDenied: denied")
	expect(t, found, "iam-no-mfa|high||bob||console password, no MFA device")
}

func TestIAMThrottlingIsRetried(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Users: []infratest.User{{Name: "alice", Password: ptime(now)}}})
	defer srv.Close()
	srv.Fail(infratest.Fault{Service: "iam", Action: "ListUsers", Code: "Throttling", Message: "Rate exceeded", Times: 2})
	srv.Fail(infratest.Fault{Service: "iam", Action: "ListMFADevices", Code: "Throttling", Message: "Rate exceeded", Times: 3})
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckMFA)
	noErrors(t, errs)
	expect(t, found, "iam-no-mfa|high||alice||console password, no MFA device")
	if n := len(srv.CallsTo("iam", "ListUsers")); n != 3 {
		t.Errorf("ListUsers attempted %d times, want 3 (2 throttled)", n)
	}
	if n := len(srv.CallsTo("iam", "ListMFADevices")); n != 4 {
		t.Errorf("ListMFADevices attempted %d times, want 4 (3 throttled, MaxAttempts 4)", n)
	}
}

func TestIAMThrottlingBeyondMaxAttemptsIsReported(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Users: []infratest.User{{Name: "alice", Password: ptime(now)}}})
	defer srv.Close()
	srv.Fail(infratest.Fault{Service: "iam", Action: "ListUsers", Code: "Throttling", Message: "Rate exceeded", Times: -1})
	_, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckMFA)
	expect(t, errs, "iam-no-mfa|error||||could not list IAM users: Throttling: Rate exceeded (gave up after 4 attempts)")
}

func TestRootUser(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{RootWithoutMFA: true, RootAccessKeys: true})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckMFA)
	noErrors(t, errs)
	expect(t, found,
		"iam-no-mfa|high||root||root user has no MFA device",
		"iam-old-access-key|high||root||root user has access keys: delete them")
	srv.Fail(infratest.Fault{Service: "iam", Action: "GetAccountSummary", Code: "AccessDenied", Status: 403, Times: -1, Message: "denied"})
	_, errs = audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckMFA)
	expect(t, errs, "iam-no-mfa|error||root||could not read the account summary (root MFA): AccessDenied: denied")
}
