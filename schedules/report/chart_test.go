package report_test

import (
	"testing"
	"time"

	"github.com/opsbot/opsbot/schedules/report"
)

// TestChartGivesErrorsTheirOwnScale: requests, 4xx and 5xx are three
// panels, each scaled to its own peak (a burst of 12 errors is not flat
// under 5,000 requests), and a bucket without traffic is a gap, not zero.
func TestChartGivesErrorsTheirOwnScale(t *testing.T) {
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	r := &report.Report{Day: day, Since: day, Until: day.AddDate(0, 0, 1)}
	for i := range 288 {
		if i == 100 {
			continue
		}
		p := report.Point{T: day.Add(time.Duration(i) * 5 * time.Minute), Requests: 5000, S4xx: 300}
		if i == 200 {
			p.S5xx = 12
		}
		r.Series = append(r.Series, p)
	}
	c := report.ChartModel(r)
	var got []string
	for _, p := range c.Panels {
		got = append(got, p.YLabel)
	}
	if len(c.Panels) != 3 || got[0] != "requests per 5 min" || got[2] != "5xx + 000 per 5 min" {
		t.Fatalf("panels %q", got)
	}
	if top := c.Panels[2].YMax; top < 12 || top > 20 {
		t.Errorf("5xx panel tops at %v for a peak of 12", top)
	}
	if n := len(c.Panels[0].Lines[0].Segments); n != 2 {
		t.Errorf("requests line in %d segments, want 2 around the empty bucket", n)
	}
}
