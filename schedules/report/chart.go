package report

import (
	"image/color"
	"time"

	"github.com/opsbot/opsbot/internal/chart"
)

// Chart draws the day per 5 minutes as a PNG: requests, 4xx and 5xx (with
// status 000) in three stacked panels sharing the time axis, each on its
// own scale, so that a burst of errors shows however many requests there
// were. Buckets without traffic are gaps.
func Chart(r *Report) ([]byte, error) { return ChartModel(r).PNG() }

// ChartModel is what Chart draws.
func ChartModel(r *Report) *chart.Chart {
	panel := func(name string, c color.RGBA, get func(Point) uint64) chart.PanelSpec {
		s := chart.SeriesSpec{Name: name, Color: c, Points: make([]chart.Point, len(r.Series))}
		for i, p := range r.Series {
			s.Points[i] = chart.Point{T: p.T, V: float64(get(p))}
		}
		return chart.PanelSpec{YLabel: name + " per 5 min", Series: []chart.SeriesSpec{s}}
	}
	loc := r.Day.Location()
	return chart.Build(chart.Spec{
		Title: "Requests and errors per 5 minutes, " + r.Day.Format("Mon 2 Jan 2006"),
		Since: r.Since, Until: r.Until, Step: 5 * time.Minute, Loc: loc,
		Panels: []chart.PanelSpec{
			panel("requests", color.RGBA{R: 40, G: 100, B: 200, A: 255}, func(p Point) uint64 { return p.Requests }),
			panel("4xx", color.RGBA{R: 200, G: 130, B: 0, A: 255}, func(p Point) uint64 { return p.S4xx }),
			panel("5xx + 000", color.RGBA{R: 210, G: 30, B: 30, A: 255}, func(p Point) uint64 { return p.S5xx }),
		},
	})
}
