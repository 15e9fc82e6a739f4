package stats_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/infra/aws"
	"github.com/opsbot/opsbot/infra/github"
	"github.com/opsbot/opsbot/infra/infratest"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/schedules/stats"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

var paris, _ = time.LoadLocation("Europe/Paris")

// mondays are six Mondays 00:00 in Paris, 19 Oct to 23 Nov 2026: five
// weeks, the first 169 hours long (summer time ends on 25 Oct).
func mondays() []time.Time {
	var out []time.Time
	for i := range 6 {
		out = append(out, time.Date(2026, 10, 19+7*i, 0, 0, 0, 0, paris))
	}
	return out
}

// fiveWeeks generates each week's traffic (growing week on week) and a
// few hours on either side that no week may count.
func fiveWeeks() []loggen.Line {
	ms := mondays()
	lines := loggen.Generate(loggen.Options{Start: ms[0].Add(-6 * time.Hour), Duration: 6 * time.Hour, Lines: 1500, Seed: 99})
	for i := range 5 {
		lines = append(lines, loggen.Generate(loggen.Options{Start: ms[i], Duration: ms[i+1].Sub(ms[i]),
			Lines: 8000 + 3000*i, Seed: uint64(i + 1)})...)
	}
	return append(lines, loggen.Generate(loggen.Options{Start: ms[5], Duration: 8 * time.Hour, Lines: 1500, Seed: 98})...)
}

func reset(t *testing.T, w warehouse.Warehouse) {
	warehousetest.Truncate(t, w, "requests", "org_stats", "audit_log", "schedule_runs", "alert_state",
		"ingest_objects", "audit_findings", "audit_runs")
}

// TestFiveWeeks runs the weekly job over five weeks of generated traffic
// in Paris time: every stored figure matches the one computed from the
// lines, the first week says "no history yet", and the fifth compares
// with the fourth and with the median of the four, read from org_stats.
// Engineering and infrastructure come from two infra audits of loopback
// GitHub and AWS, the second after a member lost 2FA, one security group
// was closed and another opened; members, repositories, pull requests and
// issues from the loopback GitHub's listings and search, paged.
func TestFiveWeeks(t *testing.T) {
	w := warehousetest.Embedded(t)
	reset(t, w)
	lines := fiveWeeks()
	warehousetest.InsertLines(t, w, lines)
	ms := mondays()
	wantOps := opsbotWeek(t, w, ms[4])
	lb := newLoopback(t)
	lb.audit(t, w, ms[4].Add(-24*time.Hour))
	lb.gh.SetOrg("acme", []string{"mallory", "eve"})
	lb.aws.Update(func(wd *infratest.World) {
		wd.Regions["eu-west-1"].SecurityGroups = []infratest.SecurityGroup{openSG("sg-2", "debug")}
	})
	lb.audit(t, w, ms[4].Add(72*time.Hour))

	activity := githubActivity(ms[3].UTC(), ms[5].UTC())
	lb.gh.SetActivity("acme", activity)
	gh := github.New(github.Options{Orgs: []string{"acme"}, Token: "tok", BaseURL: lb.gh.URL})
	inv := aws.New(awsOptions(lb.cfg.Audits))
	s := stats.New(stats.Options{Warehouse: w, Location: paris, GitHub: true, AWS: true, Activity: gh, Inventory: inv})
	var wants []want
	var last opsbot.Reply
	for i := range 5 {
		lb.aws.Update(func(wd *infratest.World) { wd.Regions["eu-west-1"].Instances = fleet(i) })
		notices, err := s.Job().Run(context.Background(), ms[i+1].Add(8*time.Hour))
		if err != nil || len(notices) != 1 || notices[0].Level != opsbot.LevelAudit {
			t.Fatalf("week %d: %v, %+v", i+1, err, notices)
		}
		last = notices[0].Reply
		wants = append(wants, expect(lines, ms[i].UTC(), ms[i+1].UTC(), paris))
		checkTraffic(t, i+1, stored(t, w, ms[i].UTC()), wants[i])
		if got := strings.Contains(last.Text, "No history yet"); got != (i == 0) {
			t.Errorf("week %d: says no history yet: %v\n%s", i+1, got, last.Text)
		}
	}
	got := stored(t, w, ms[4].UTC())
	for k, v := range wantOps {
		checkFigure(t, "week 5 "+k, got, k, v)
	}
	for k, v := range map[string]float64{
		"engineering.members_without_2fa": 2, "engineering.members_without_2fa/github/acme": 2,
		"engineering.members_without_2fa_new": 1, "engineering.members_without_2fa_fixed": 0,
		"infra.open_security_groups": 1, "infra.open_security_groups_new": 1, "infra.open_security_groups_fixed": 1,
		"infra.public_load_balancers": 1, "infra.public_load_balancers_new": 0, "infra.public_load_balancers_fixed": 0,
	} {
		checkFigure(t, "week 5 "+k, got, k, v)
	}
	for k, v := range map[string]float64{
		"infra.instances_running": 4, "infra.instances_running_by_type/m5.large": 3, "infra.instances_running_by_type/t3.micro": 1,
		"infra.instances_running_by_region/prod/eu-west-1": 4, "infra.load_balancers": 2,
	} {
		checkFigure(t, "week 5 "+k, got, k, v)
	}
	if !strings.Contains(last.Text, "running by type: m5.large 3 (+1) · t3.micro 1 (=)") {
		t.Errorf("no instances by type with the week's change:\n%s", last.Text)
	}
	wantGH, oldest := expectGitHub(activity, ms[4].UTC(), ms[5].UTC())
	for k, v := range wantGH {
		checkFigure(t, "week 5 "+k, got, k, v)
	}
	for _, pr := range oldest {
		if !strings.Contains(last.Text, pr) {
			t.Errorf("oldest open pull requests lack %q:\n%s", pr, last.Text)
		}
	}
	checkTrends(t, last, wants)
	img, err := png.Decode(bytes.NewReader(last.Files[0].Data))
	if err != nil || img.Bounds().Dx() < 1000 {
		t.Fatalf("chart: %v", err)
	}
}

// fleet is week i's instances: one t3.micro, i-2 m5.large (at least 0)
// running, and a stopped one that never counts.
func fleet(i int) []infratest.Instance {
	out := []infratest.Instance{{ID: "i-0t3", Type: "t3.micro"}, {ID: "i-0stop", Type: "c5.xlarge", State: "stopped"}}
	for n := range max(i-1, 0) {
		out = append(out, infratest.Instance{ID: fmt.Sprintf("i-0m5%d", n), Type: "m5.large"})
	}
	return out
}

func checkTraffic(t *testing.T, week int, got map[string]float64, x want) {
	t.Helper()
	name := func(s string) string { return "week " + string(rune('0'+week)) + " " + s }
	for k, v := range map[string]float64{
		"traffic.requests": x.requests, "traffic.bytes": x.bytes, "traffic.clients": x.clients,
		"traffic.4xx_ratio": x.r4xx, "traffic.5xx_ratio": x.r5xx, "traffic.cache_hit_ratio": x.cacheHit,
		"traffic.p95_seconds":                   x.p95,
		"traffic.busiest_day/" + x.busiestDay:   x.busiestDayN,
		"traffic.busiest_hour/" + x.busiestHour: x.busiestHourN,
	} {
		checkFigure(t, name(k), got, k, v)
	}
}

func checkFigure(t *testing.T, name string, got map[string]float64, k string, v float64) {
	t.Helper()
	g, ok := got[k]
	if !ok {
		t.Errorf("%s: not stored", name)
	} else if math.Abs(g-v) > 1e-6 {
		t.Errorf("%s = %v, want %v", name, g, v)
	}
}

// checkTrends: the fifth week's post compares requests with the fourth
// week and the median of weeks one to four, all computed from the lines.
func checkTrends(t *testing.T, r opsbot.Reply, ws []want) {
	t.Helper()
	req := stats.Requests.Unit
	wantRow := []string{"requests", req.Format(ws[4].requests), req.Format(ws[3].requests),
		req.Format(median(ws[0].requests, ws[1].requests, ws[2].requests, ws[3].requests))}
	if !containsRow(r.Text, wantRow) {
		t.Errorf("no row %q in\n%s", wantRow, r.Text)
	}
	p := stats.Ratio5xx.Unit
	wantRow = []string{"5xx ratio", p.Format(ws[4].r5xx), p.Format(ws[3].r5xx),
		p.Format(median(ws[0].r5xx, ws[1].r5xx, ws[2].r5xx, ws[3].r5xx))}
	if !containsRow(r.Text, wantRow) {
		t.Errorf("no row %q in\n%s", wantRow, r.Text)
	}
	for _, s := range []string{"Organization statistics, week of Mon 16 Nov 2026", "*Traffic*", "*Engineering*",
		"*Infrastructure*", "*opsbot itself*", "countries: none in the logs"} {
		if !strings.Contains(r.Title+"\n"+r.Text, s) {
			t.Errorf("post lacks %q:\n%s", s, r.Text)
		}
	}
}

// containsRow: some line of text holds cells in order.
func containsRow(text string, cells []string) bool {
	for _, l := range strings.Split(text, "\n") {
		rest, ok := l, true
		for _, c := range cells {
			i := strings.Index(rest, c)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(c):]
		}
		if ok {
			return true
		}
	}
	return false
}
