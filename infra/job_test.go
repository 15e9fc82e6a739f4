package infra_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/aws"
	"github.com/opsbot/opsbot/infra/github"
	"github.com/opsbot/opsbot/infra/infratest"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

var day1 = time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	os.Setenv("AWS_CONFIG_FILE", os.DevNull)
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	warehousetest.Main(m) // stops the shared engine before exit
}

type noDelay struct{}

func (noDelay) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// fixture is one AWS account "prod" (eu-west-1) and one GitHub org "acme"
// on loopback, audited by a real Auditor recording to the embedded engine.
type fixture struct {
	aws *infratest.AWS
	gh  *infratest.GitHub
	w   warehouse.Warehouse
	a   *infra.Auditor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		aws: infratest.NewAWS(infratest.World{
			Users: []infratest.User{
				{Name: "alice", Password: ptime(day1.AddDate(-1, 0, 0)), Tags: map[string]string{"Owner": "web-team"}},
				{Name: "bob", Password: ptime(day1.AddDate(-1, 0, 0)), MFA: []string{"arn:aws:iam::123456789012:mfa/bob"}},
			},
			Regions: map[string]*infratest.Region{"eu-west-1": {
				SecurityGroups: []infratest.SecurityGroup{{ID: "sg-admin", Name: "admin", Tags: map[string]string{"Owner": "sre"},
					Ingress: []infratest.Rule{{Protocol: "tcp", From: 22, To: 22, CIDRs: []string{"0.0.0.0/0"}}}}},
				Instances: []infratest.Instance{
					{ID: "i-0batch", Type: "c7g.large", Launched: day1.Add(-2 * time.Hour), Tags: map[string]string{"Name": "batch"}},
					{ID: "i-0old", Type: "t3.micro", Launched: day1.AddDate(0, -1, 0)},
				},
			}},
		}),
		gh: infratest.NewGitHub("tok", map[string][]string{"acme": {"mallory"}}, 0),
		w:  warehousetest.Embedded(t),
	}
	t.Cleanup(f.aws.Close)
	t.Cleanup(f.gh.Close)
	warehousetest.Truncate(t, f.w, "audit_findings", "audit_runs")
	src := aws.New(aws.Options{
		Accounts:    []aws.Account{{Name: "prod", Regions: []string{"eu-west-1"}, Endpoint: f.aws.URL}},
		PublicPorts: []int{80, 443}, OwnerTags: []string{"Owner"}, MaxAttempts: 3,
		Credentials: credentials.NewStaticCredentialsProvider(infratest.AccessKeyID, infratest.SecretKey, ""),
		Backoff:     noDelay{},
	})
	gh := github.New(github.Options{Orgs: []string{"acme"}, Token: "tok", BaseURL: f.gh.URL,
		Backoff: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 2) }})
	f.a = infra.New([]infra.Source{src, gh}, f.w, infra.Options{InstancesWindow: 24 * time.Hour,
		Clock: clocktest.New(day1)})
	return f
}

func ptime(t time.Time) *time.Time { return &t }

func run(t *testing.T, f *fixture, now time.Time) opsbot.Reply {
	t.Helper()
	ns, err := f.a.Job().Run(context.Background(), now)
	if err != nil {
		t.Fatalf("run at %v: %v", now, err)
	}
	if len(ns) != 1 || ns[0].Level != opsbot.LevelAudit || ns[0].Key != "infra-audit" {
		t.Fatalf("notices %+v", ns)
	}
	return ns[0].Reply
}

func contains(t *testing.T, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("missing %q in:\n%s", p, text)
		}
	}
}

// rows is the recorded (check, id) pairs of one run, from SQL.
func rows(t *testing.T, w warehouse.Warehouse, at time.Time) []string {
	t.Helper()
	res, err := w.Query(context.Background(), `SELECT check, id, owner FROM audit_findings
WHERE run_time = {t:DateTime64(3, 'UTC')} ORDER BY check, id`, opsbot.Params{"t": at.Format("2006-01-02 15:04:05.000")})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range res.Rows {
		out = append(out, r[0].(string)+" "+r[1].(string)+" "+r[2].(string))
	}
	return out
}

func TestDailyAuditNewAndFixedAcrossRuns(t *testing.T) {
	f := newFixture(t)
	r1 := run(t, f, day1)
	if r1.Title != "Infrastructure audit, Mon 23 Nov 2026: 3 findings" {
		t.Errorf("day 1 title %q", r1.Title)
	}
	if strings.Contains(r1.Text, "*New*") {
		t.Errorf("the first run calls everything new:\n%s", r1.Text)
	}
	contains(t, r1.Text, "First recorded audit",
		"alice (prod, owner: web-team) and @mallory (github/acme) still sign in with a password alone",
		"*Instances launched in the last 24h* (1)", "i-0batch (batch): c7g.large, running, launched 23 Nov 05:00 UTC")
	if got := strings.Join(rows(t, f.w, day1), "; "); got !=
		"github-no-2fa mallory ; iam-no-mfa alice web-team; new-instance i-0batch ; open-security-group sg-admin tcp/22 (ssh) sre" {
		t.Errorf("day 1 rows: %s", got)
	}

	// Overnight alice enrols MFA, someone opens Postgres to the world and
	// oscar joins acme without 2FA.
	f.aws.Update(func(w *infratest.World) {
		w.Users[0].MFA = []string{"arn:aws:iam::123456789012:mfa/alice"}
		r := w.Regions["eu-west-1"]
		r.SecurityGroups = append(r.SecurityGroups, infratest.SecurityGroup{ID: "sg-db", Name: "db",
			Ingress: []infratest.Rule{{Protocol: "tcp", From: 5432, To: 5432, CIDRs: []string{"0.0.0.0/0"}}}})
	})
	f.gh.SetOrg("acme", []string{"mallory", "oscar"})
	day2 := day1.Add(24 * time.Hour)
	r2 := run(t, f, day2)
	if r2.Title != "Infrastructure audit, Tue 24 Nov 2026: 4 findings, 2 new, 1 fixed" {
		t.Errorf("day 2 title %q", r2.Title)
	}
	contains(t, r2.Text, "Since the previous run (Mon 23 Nov 07:00 UTC): 2 new, 1 fixed.",
		"*New* (2)", "• high · github/acme · oscar: two-factor authentication disabled",
		"• high · prod eu-west-1 · sg-db (db): tcp/5432 (postgres) open to 0.0.0.0/0",
		"*Fixed* :tada: (1)", "• high · prod · alice: console password, no MFA device (owner: web-team)",
		"@mallory (github/acme) and @oscar (github/acme) still sign in", "New since last time: @oscar.")
	if strings.Contains(r2.Text, "Instances launched") {
		t.Errorf("day 2 lists instances launched a day earlier:\n%s", r2.Text)
	}
	// The table marks what is new.
	ch := r2.Table.Col("change")
	var marked []string
	for _, row := range r2.Table.Rows {
		if row[ch] == "new" {
			marked = append(marked, row[r2.Table.Col("resource")].(string))
		}
	}
	if strings.Join(marked, ",") != "oscar,sg-db (db)" {
		t.Errorf("rows marked new: %v", marked)
	}

	// A retry of day 2 changes nothing in the table.
	run(t, f, day2)
	res, err := f.w.Query(context.Background(), "SELECT count() FROM audit_findings", nil)
	if err != nil || res.Rows[0][0].(uint64) != 8 {
		t.Errorf("rows after a retried run: %v %v, want 4 + 4", res.Rows, err)
	}
}

func TestDailyAuditErrorsNeitherFixNorHide(t *testing.T) {
	f := newFixture(t)
	run(t, f, day1)
	f.aws.Fail(infratest.Fault{Service: "ec2", Action: "DescribeSecurityGroups", Status: 403, Times: -1,
		Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."})
	r := run(t, f, day1.Add(24*time.Hour))
	if r.Title != "Infrastructure audit, Tue 24 Nov 2026: 2 findings, 0 new, 0 fixed" {
		t.Errorf("title %q: the unreadable security group must not count as fixed", r.Title)
	}
	contains(t, r.Text, "*Could not check* :warning: (1)",
		"• prod eu-west-1: could not list security groups in eu-west-1: UnauthorizedOperation: You are not authorized to perform this operation.")
	got := rows(t, f.w, day1.Add(24*time.Hour))
	if strings.Join(got, "; ") != "github-no-2fa mallory ; iam-no-mfa alice web-team; open-security-group error: list security groups in eu-west-1 " {
		t.Errorf("recorded: %v", got)
	}
}

func TestDryRunRecordsNothing(t *testing.T) {
	f := newFixture(t)
	out, err := f.a.DryRun(context.Background(), day1)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, out, "[audit] infra-audit", "Infrastructure audit, Mon 23 Nov 2026: 3 findings",
		"severity", "sg-admin (admin)", "tcp/22 (ssh) open to 0.0.0.0/0")
	res, err := f.w.Query(context.Background(), "SELECT count() FROM audit_runs", nil)
	if err != nil || res.Rows[0][0].(uint64) != 0 {
		t.Errorf("dry run recorded: %v %v", res.Rows, err)
	}
}

func TestJobWithoutRecording(t *testing.T) {
	f := newFixture(t)
	j := f.a.Job().WithoutRecording()
	ns, err := j.Run(context.Background(), day1)
	if err != nil || j.Name() != "infra-audit" || len(ns) != 1 {
		t.Fatalf("run: %v %v", ns, err)
	}
	contains(t, ns[0].Reply.Context, "dry run: nothing recorded")
	contains(t, ns[0].Reply.Text, "No recorded audit to compare with yet, and a dry run records none")
	if strings.Contains(ns[0].Reply.Text, "First recorded audit") {
		t.Errorf("a dry run calls itself the first recorded audit:\n%s", ns[0].Reply.Text)
	}
	res, err := f.w.Query(context.Background(), "SELECT count() FROM audit_findings", nil)
	if err != nil || res.Rows[0][0].(uint64) != 0 {
		t.Errorf("a dry run recorded findings: %v %v", res.Rows, err)
	}
}

// brokenInsert is the embedded engine with inserts failing (a full disk).
type brokenInsert struct{ warehouse.Warehouse }

func (brokenInsert) Insert(context.Context, string, arrow.Record, warehouse.InsertOptions) error {
	return errors.New("disk full")
}

func TestRecordFailureStillPostsAndSaysSo(t *testing.T) {
	f := newFixture(t)
	a := infra.New([]infra.Source{aws.New(aws.Options{
		Accounts:    []aws.Account{{Name: "prod", Regions: []string{"eu-west-1"}, Endpoint: f.aws.URL}},
		Credentials: credentials.NewStaticCredentialsProvider(infratest.AccessKeyID, infratest.SecretKey, ""),
		OwnerTags:   []string{"Owner"}, PublicPorts: []int{80, 443}})}, brokenInsert{f.w}, infra.Options{})
	ns, err := a.Job().Run(context.Background(), day1)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("error %v, want the insert's", err)
	}
	if len(ns) != 1 {
		t.Fatalf("no notice when recording failed")
	}
	contains(t, ns[0].Reply.Text, "This run could not be recorded (record findings: disk full)")
	if ns[0].Reply.Table == nil || len(ns[0].Reply.Table.Rows) != 3 { // alice, sg-admin, i-0batch
		t.Errorf("findings missing from the notice: %+v", ns[0].Reply.Table)
	}
}

func TestNothingConfigured(t *testing.T) {
	a := infra.New(nil, nil, infra.Options{})
	if ns, err := a.Job().Run(context.Background(), day1); len(ns) != 0 || err != nil {
		t.Errorf("the daily job posts %v %v with nothing configured", ns, err)
	}
	out, err := a.DryRun(context.Background(), day1)
	if err != nil || !strings.Contains(out, "No AWS account or GitHub organization is configured") {
		t.Errorf("dry run: %q %v", out, err)
	}
	r, err := a.Skill().Handle(context.Background(), &opsbot.Request{Text: "security groups", Now: day1})
	if err != nil || !r.Ephemeral || !strings.Contains(r.Text, "audits.accounts") {
		t.Errorf("skill: %+v %v", r, err)
	}
}
