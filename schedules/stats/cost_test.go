package stats_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/infra/aws"
	"github.com/opsbot/opsbot/infra/infratest"
	"github.com/opsbot/opsbot/schedules/stats"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// costServices are seven services: the post shows the costliest five.
var costServices = []string{"Amazon Elastic Compute Cloud - Compute", "Amazon Simple Storage Service", "Amazon CloudFront",
	"Amazon Relational Database Service", "AWS Lambda", "AmazonCloudWatch", "Amazon Route 53"}

// costFixture is five weeks of daily costs (the Paris Mondays' dates),
// growing week on week, with a day on either side that no week counts.
func costFixture() []infratest.Cost {
	ms := mondays()
	var cs []infratest.Cost
	for w := range 5 {
		for d := range 7 {
			day := ms[w].AddDate(0, 0, d).Format(time.DateOnly)
			for i, svc := range costServices {
				cs = append(cs, infratest.Cost{Day: day, Service: svc, Amount: fmt.Sprintf("%d.%02d", (7-i)*(w+2)+d, 2*(13*i+w))}) // even cents: no median at a half cent
			}
		}
	}
	return append(cs, infratest.Cost{Day: ms[0].AddDate(0, 0, -1).Format(time.DateOnly), Service: costServices[0], Amount: "9999"},
		infratest.Cost{Day: ms[5].Format(time.DateOnly), Service: costServices[0], Amount: "9999"})
}

// weekCost sums the fixture's days in [since, until) (local dates) by
// service, by hand; "" is the total.
func weekCost(cs []infratest.Cost, since, until time.Time) map[string]float64 {
	out := map[string]float64{}
	from, to := since.Format(time.DateOnly), until.Format(time.DateOnly)
	for _, c := range cs {
		if c.Day >= from && c.Day < to {
			var v float64
			fmt.Sscan(c.Amount, &v)
			out[c.Service] += v
			out[""] += v
		}
	}
	return out
}

func costAWS(t *testing.T, fixture []infratest.Cost) (*infratest.AWS, *aws.Accounts) {
	lb := newLoopback(t)
	lb.aws.Update(func(w *infratest.World) { w.Costs, w.PageSize = fixture, 3 })
	return lb.aws, aws.New(awsOptions(lb.cfg.Audits))
}

// TestWeeklyCost: five weekly runs read each week's cost from a loopback
// Cost Explorer (seven days, three pages a week); the fifth post shows the
// total and the five costliest services with last week and the four-week
// median, every figure summed by hand from the fixture, and org_stats
// holds each service.
func TestWeeklyCost(t *testing.T) {
	w := warehousetest.Embedded(t)
	reset(t, w)
	fixture := costFixture()
	srv, ce := costAWS(t, fixture)
	s := stats.New(stats.Options{Warehouse: w, Location: paris, AWS: true, Costs: ce})
	ms := mondays()
	var weeks []map[string]float64
	var last opsbot.Reply
	for i := range 5 {
		notices, err := s.Job().Run(context.Background(), ms[i+1].Add(8*time.Hour))
		if err != nil {
			t.Fatalf("week %d: %v", i+1, err)
		}
		last = notices[0].Reply
		weeks = append(weeks, weekCost(fixture, ms[i], ms[i+1]))
		got := stored(t, w, ms[i].UTC())
		for svc, v := range weeks[i] {
			k := "infra.aws_cost"
			if svc != "" {
				k += "/" + svc
			}
			checkFigure(t, fmt.Sprintf("week %d %s", i+1, k), got, k, v)
		}
	}
	calls := srv.CallsTo("ce", "GetCostAndUsage")
	if len(calls) != 15 {
		t.Fatalf("%d GetCostAndUsage calls, want three pages a week for five weeks", len(calls))
	}
	for i, c := range calls {
		req, err := infratest.DecodeCostRequest(c.Body)
		if err != nil {
			t.Fatalf("request %s: %v", c.Body, err)
		}
		wk := i / 3
		want := infratest.CostRequest{
			TimePeriod:  &infratest.DateInterval{Start: ms[wk].Format(time.DateOnly), End: ms[wk+1].Format(time.DateOnly)},
			Granularity: "DAILY", Metrics: []string{"UnblendedCost"},
			GroupBy:       []infratest.GroupDefinition{{Type: "DIMENSION", Key: "SERVICE"}, {Type: "DIMENSION", Key: "LINKED_ACCOUNT"}},
			NextPageToken: []string{"", "day-3", "day-6"}[i%3],
		}
		if !reflect.DeepEqual(req, want) || c.Region != "us-east-1" {
			t.Errorf("call %d in %s: %+v, want %+v", i, c.Region, req, want)
		}
	}
	u := stats.AWSCost.Unit
	med := func(svc string) string {
		return u.Format(median(weeks[0][svc], weeks[1][svc], weeks[2][svc], weeks[3][svc]))
	}
	for _, svc := range append([]string{""}, costServices[:5]...) {
		label := "AWS cost (USD)"
		if svc != "" {
			label = "  " + svc
		}
		row := []string{label, u.Format(weeks[4][svc]), u.Format(weeks[3][svc]), med(svc)}
		if !containsRow(last.Text, row) {
			t.Errorf("no row %q in\n%s", row, last.Text)
		}
	}
	rest := weeks[4][costServices[5]] + weeks[4][costServices[6]]
	for _, want := range []string{"2 more service(s): " + u.Format(rest), "2026-11-16 to 2026-11-22 (UTC days), 1 account(s)"} {
		if !strings.Contains(last.Text, want) {
			t.Errorf("post lacks %q:\n%s", want, last.Text)
		}
	}
	if strings.Contains(last.Text, costServices[6]) || strings.Contains(last.Text, stats.CostOff) {
		t.Errorf("post lists a sixth service or says the cost is off:\n%s", last.Text)
	}
}

// TestCostOff: without a Costs reader (schedules.stats.cost_explorer off)
// the infrastructure section says the cost was not read and why, and
// Cost Explorer is never called; with one, an ad-hoc window calls it not
// either.
func TestCostOff(t *testing.T) {
	w := warehousetest.Embedded(t)
	reset(t, w)
	srv, ce := costAWS(t, costFixture())
	ms := mondays()
	notices, err := stats.New(stats.Options{Warehouse: w, Location: paris, AWS: true}).Job().Run(context.Background(), ms[5].Add(8*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notices[0].Reply.Text, "_"+stats.CostOff+"_") || strings.Contains(notices[0].Reply.Text, "AWS cost") {
		t.Errorf("post:\n%s", notices[0].Reply.Text)
	}
	r, err := stats.New(stats.Options{Warehouse: w, Location: paris, AWS: true, Costs: ce}).Skill().
		Handle(context.Background(), &opsbot.Request{Text: "stats last 24h", Now: ms[5].Add(8 * time.Hour)})
	if err != nil || !strings.Contains(r.Text, "cost: in the weekly post only") {
		t.Errorf("ad hoc: %v\n%s", err, r.Text)
	}
	if n := len(srv.CallsTo("ce", "GetCostAndUsage")); n != 0 {
		t.Errorf("Cost Explorer called %d times", n)
	}
	for k := range stored(t, w, ms[4].UTC()) {
		if strings.HasPrefix(k, "infra.aws_cost") {
			t.Errorf("%s stored with the cost off", k)
		}
	}
}

// TestCostFails: a Cost Explorer that refuses is a ⚠ line naming the
// account and the error, and no cost is shown or stored (never zeros).
func TestCostFails(t *testing.T) {
	w := warehousetest.Embedded(t)
	reset(t, w)
	srv, ce := costAWS(t, costFixture())
	srv.Fail(infratest.Fault{Service: "ce", Code: "AccessDeniedException",
		Message: "User is not authorized to perform: ce:GetCostAndUsage", Times: -1})
	ms := mondays()
	notices, err := stats.New(stats.Options{Warehouse: w, Location: paris, AWS: true, Costs: ce}).Job().Run(context.Background(), ms[5].Add(8*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	text := notices[0].Reply.Text
	want := "⚠ could not read AWS cost (Cost Explorer): prod: read costs (GetCostAndUsage): AccessDeniedException: User is not authorized"
	if !strings.Contains(text, want) || strings.Contains(text, "AWS cost (USD)") || strings.Contains(text, "0.00") {
		t.Errorf("post lacks %q or shows a cost:\n%s", want, text)
	}
	if len(srv.CallsTo("ce", "GetCostAndUsage")) == 0 {
		t.Error("Cost Explorer not called")
	}
	got := stored(t, w, ms[4].UTC())
	if len(got) == 0 {
		t.Fatal("nothing stored at all: the other figures should be")
	}
	for k := range got {
		if strings.HasPrefix(k, "infra.aws_cost") {
			t.Errorf("%s stored although Cost Explorer failed", k)
		}
	}
}
