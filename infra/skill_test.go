package infra_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/infratest"
)

func ask(t *testing.T, f *fixture, text string) *opsbot.Reply {
	t.Helper()
	r, err := f.a.Skill().Handle(context.Background(), &opsbot.Request{Text: text, Now: day1, User: opsbot.User{ID: "U1"}})
	if err != nil || r == nil {
		t.Fatalf("%s: reply %v, error %v", text, r, err)
	}
	return r
}

// column is one column of a reply's table.
func column(t *testing.T, r *opsbot.Reply, name string) []string {
	t.Helper()
	if r.Table == nil {
		return nil
	}
	i := r.Table.Col(name)
	if i < 0 {
		t.Fatalf("no column %q in %v", name, r.Table.Columns)
	}
	var out []string
	for _, row := range r.Table.Rows {
		v, _ := row[i].(string)
		if tm, ok := row[i].(time.Time); ok {
			v = tm.Format(time.RFC3339)
		}
		out = append(out, v)
	}
	return out
}

func TestSkillCommands(t *testing.T) {
	var names []string
	for _, c := range (&infra.Auditor{}).Skill().Commands() {
		names = append(names, c.Name)
		if c.Role != opsbot.RoleReader || c.Write || c.Usage == "" || len(c.Examples) == 0 {
			t.Errorf("command %+v", c)
		}
	}
	if strings.Join(names, ",") != "mfa,security,load,instances" {
		t.Errorf("commands %v", names)
	}
}

func TestMFAAudit(t *testing.T) {
	f := newFixture(t)
	for _, text := range []string{"mfa audit", "MFA", "mfa Audit"} {
		r := ask(t, f, text)
		if r.Title != "MFA audit: 2 people without MFA, 0 old access keys" || r.Ephemeral {
			t.Errorf("%s: title %q", text, r.Title)
		}
		if got := strings.Join(column(t, r, "user"), ","); got != "alice,mallory" {
			t.Errorf("%s: users %s", text, got)
		}
		contains(t, r.Text, "alice (prod, owner: web-team) and @mallory (github/acme) still sign in with a password alone")
	}
	r := ask(t, f, "mfa please")
	if !r.Ephemeral || !strings.Contains(r.Text, `I don't know "mfa please". Try: mfa audit.`) {
		t.Errorf("bad form answered %+v", r)
	}
	if n := len(f.aws.CallsTo("ec2", "DescribeSecurityGroups")); n != 0 {
		t.Errorf("mfa audit listed security groups (%d calls)", n)
	}
}

func TestSecurityGroupsCommand(t *testing.T) {
	f := newFixture(t)
	r := ask(t, f, "security groups")
	if r.Title != "Security groups open to the internet: 1 rule" {
		t.Errorf("title %q", r.Title)
	}
	if got := strings.Join(column(t, r, "group"), ",") + " " + strings.Join(column(t, r, "owner"), ","); got != "sg-admin (admin) sre" {
		t.Errorf("table %s", got)
	}
	f.aws.Fail(infratest.Fault{Service: "ec2", Action: "DescribeSecurityGroups", Status: 403, Times: -1,
		Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."})
	r = ask(t, f, "security groups")
	contains(t, r.Text, "could not list security groups in eu-west-1: UnauthorizedOperation")
	if got := strings.Join(column(t, r, "severity"), ","); got != "error" {
		t.Errorf("the failure is not in the table: %s", got)
	}
	if r.Title != "Security groups open to the internet: 0 rules" || strings.Contains(r.Text, "No security group is open") {
		t.Errorf("a failed check reads as all clear: %q\n%s", r.Title, r.Text)
	}
}

func TestLoadBalancersCommand(t *testing.T) {
	f := newFixture(t)
	r := ask(t, f, "load balancers")
	if r.Title != "Load balancers: 0 unexpected on the internet, 0 listeners without TLS" || r.Table != nil {
		t.Errorf("reply %+v", r)
	}
	contains(t, r.Text, "Every internet-facing load balancer is expected and speaks TLS.")
	if n := len(f.aws.CallsTo("elbv2", "DescribeLoadBalancers")) + len(f.aws.CallsTo("elb", "DescribeLoadBalancers")); n != 2 {
		t.Errorf("%d load balancer listings, want ELBv2 and classic", n)
	}
}

func TestInstancesCommandWindows(t *testing.T) {
	f := newFixture(t)
	for text, want := range map[string]string{
		"instances":          "i-0batch (batch)", // default 24h
		"instances last 3h":  "i-0batch (batch)",
		"instances last 1h":  "",
		"instances last 90d": "i-0batch (batch),i-0old",
	} {
		r := ask(t, f, text)
		if got := strings.Join(column(t, r, "instance"), ","); got != want {
			t.Errorf("%s: %q, want %q", text, got, want)
		}
	}
	r := ask(t, f, "instances last 3h")
	if r.Title != "Instances launched in the last 3h (04:00–07:00 UTC): 1" {
		t.Errorf("title %q", r.Title)
	}
	if got := column(t, r, "launched"); len(got) != 1 || got[0] != "2026-11-23T05:00:00Z" {
		t.Errorf("launched %v", got)
	}
	contains(t, ask(t, f, "instances last 1h").Text, "No instance was launched in the last 1h.")
	for _, bad := range []string{"instances last banana", "instances 0h", "instances last 200d"} {
		r := ask(t, f, bad)
		if !r.Ephemeral || !strings.HasPrefix(r.Text, "instances: ") {
			t.Errorf("%s answered %+v", bad, r)
		}
	}
}

func TestParseWindow(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"": 24 * time.Hour, "last 1h": time.Hour, "1h": time.Hour, "last hour": time.Hour, "last 30m": 30 * time.Minute,
		"last 2 days": 48 * time.Hour, "last 1w": 7 * 24 * time.Hour, "LAST 90 MIN": 90 * time.Minute,
	} {
		got, err := infra.ParseWindow(strings.Fields(in), 24*time.Hour)
		if err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	_, err := infra.ParseWindow([]string{"last", "fortnight"}, time.Hour)
	if err == nil || err.Error() != `can't read the window "fortnight": use a number and a unit, e.g. last 1h, last 30m, last 7d` {
		t.Errorf("error %v", err)
	}
}
