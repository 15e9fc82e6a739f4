package aws

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/infra/infratest"
)

var (
	costStart = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	costEnd   = costStart.AddDate(0, 0, 7)
)

// weekCosts is a week of costs: EC2 and S3 every day, CloudFront on two
// days, one day outside the week on each side.
func weekCosts(account string) []infratest.Cost {
	var cs []infratest.Cost
	for d := range 7 {
		day := costStart.AddDate(0, 0, d).Format(time.DateOnly)
		cs = append(cs,
			infratest.Cost{Day: day, Service: "Amazon Elastic Compute Cloud - Compute", Account: account, Amount: fmt.Sprintf("%d.125", 40+d)},
			infratest.Cost{Day: day, Service: "Amazon Simple Storage Service", Account: account, Amount: "3.3333333333"})
	}
	cs = append(cs,
		infratest.Cost{Day: "2026-11-18", Service: "Amazon CloudFront", Account: account, Amount: "7.5"},
		infratest.Cost{Day: "2026-11-22", Service: "Amazon CloudFront", Account: account, Amount: "2.25", Estimated: true},
		infratest.Cost{Day: "2026-11-15", Service: "Amazon CloudFront", Account: account, Amount: "1000"},
		infratest.Cost{Day: "2026-11-23", Service: "Amazon CloudFront", Account: account, Amount: "1000"})
	return cs
}

// sumWeek adds the fixture's costs of the week by service, by hand.
func sumWeek(cs []infratest.Cost) map[string]float64 {
	out := map[string]float64{}
	for _, c := range cs {
		if c.Day < costStart.Format(time.DateOnly) || c.Day >= costEnd.Format(time.DateOnly) {
			continue
		}
		var v float64
		fmt.Sscan(c.Amount, &v)
		out[c.Service] += v
	}
	return out
}

func near(t *testing.T, got, want map[string]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("services %v, want %v", got, want)
	}
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-6 {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
}

func TestCostsReadsTheWeekPageByPage(t *testing.T) {
	fixture := weekCosts("")
	srv := infratest.NewAWS(infratest.World{PageSize: 3, Costs: fixture})
	defer srv.Close()
	c, err := newSource(srv, []string{"eu-west-1"}).Costs(context.Background(), costStart, costEnd)
	if err != nil {
		t.Fatal(err)
	}
	near(t, c.Services, sumWeek(fixture))
	if c.Currency != "USD" || !c.Estimated || !reflect.DeepEqual(c.Accounts, []string{"123456789012"}) {
		t.Errorf("currency %q, estimated %v, accounts %v", c.Currency, c.Estimated, c.Accounts)
	}
	calls := srv.CallsTo("ce", "GetCostAndUsage")
	var tokens []string
	for _, call := range calls {
		if call.Region != "us-east-1" || call.Error != "" {
			t.Errorf("call in %s answered %q", call.Region, call.Error)
		}
		req, err := infratest.DecodeCostRequest(call.Body)
		if err != nil {
			t.Fatalf("request %s: %v", call.Body, err)
		}
		tokens = append(tokens, req.NextPageToken)
		req.NextPageToken = ""
		want := infratest.CostRequest{TimePeriod: &infratest.DateInterval{Start: "2026-11-16", End: "2026-11-23"},
			Granularity: "DAILY", Metrics: []string{"UnblendedCost"},
			GroupBy: []infratest.GroupDefinition{{Type: "DIMENSION", Key: "SERVICE"}, {Type: "DIMENSION", Key: "LINKED_ACCOUNT"}}}
		if !reflect.DeepEqual(req, want) {
			t.Errorf("request %+v, want %+v", req, want)
		}
	}
	if strings.Join(tokens, ",") != ",day-3,day-6" {
		t.Errorf("page tokens %q, want the first page then day-3 and day-6", tokens)
	}
}

// A management account answers for its members: a member listed beside it
// is counted once, and each account is read with its own role.
func TestCostsCountsALinkedAccountOnce(t *testing.T) {
	role := &infratest.Role{ARN: "arn:aws:iam::111111111111:role/opsbot-audit", AccessKeyID: "ASIAASSUMEDROLE00002", Secret: "s", SessionToken: "t"}
	payer := infratest.NewAWS(infratest.World{AccountID: "111111111111", Role: role,
		Costs: append(weekCosts("111111111111"), weekCosts("222222222222")...)})
	defer payer.Close()
	member := infratest.NewAWS(infratest.World{AccountID: "222222222222", Costs: weekCosts("222222222222")})
	defer member.Close()
	s := newSource(payer, []string{"eu-west-1"}, func(o *Options) {
		o.Accounts[0].RoleARN = role.ARN
		o.Accounts = append(o.Accounts, Account{Name: "member", Regions: []string{"eu-west-1"}, Endpoint: member.URL})
	})
	c, err := s.Costs(context.Background(), costStart, costEnd)
	if err != nil {
		t.Fatal(err)
	}
	want := sumWeek(weekCosts(""))
	for k := range want {
		want[k] *= 2
	}
	near(t, c.Services, want)
	if !reflect.DeepEqual(c.Accounts, []string{"111111111111", "222222222222"}) {
		t.Errorf("accounts %v", c.Accounts)
	}
	for _, call := range payer.CallsTo("ce", "GetCostAndUsage") {
		if call.AccessKey != role.AccessKeyID {
			t.Errorf("payer's Cost Explorer signed with %s, want the role's key", call.AccessKey)
		}
	}
	if n := len(member.CallsTo("ce", "GetCostAndUsage")); n != 1 {
		t.Errorf("member read %d times", n)
	}
}

func TestCostsFailureIsAnError(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{PageSize: 3, Costs: weekCosts("")})
	defer srv.Close()
	srv.Fail(infratest.Fault{Service: "ce", Code: "AccessDeniedException", Message: "not authorized to perform ce:GetCostAndUsage", Times: -1})
	c, err := newSource(srv, []string{"eu-west-1"}).Costs(context.Background(), costStart, costEnd)
	if err == nil || !strings.Contains(err.Error(), "prod: read costs (GetCostAndUsage): AccessDeniedException: not authorized") {
		t.Fatalf("error %v", err)
	}
	if c.Services != nil || c.Currency != "" {
		t.Errorf("costs on failure: %+v", c)
	}
}
