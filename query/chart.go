package query

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/chart"
	"github.com/opsbot/opsbot/warehouse"
)

// Chart draws a graph plan's answer (a "time" column and pl.Plot, as
// rate.sql and traffic.sql return) as a PNG, with times shown in loc.
func Chart(pl *Plan, r *opsbot.Result, loc *time.Location) ([]byte, error) {
	c, err := ChartModel(pl, r, loc)
	if err != nil {
		return nil, err
	}
	return c.PNG()
}

// ChartModel is what Chart draws: buckets of pl.Step over pl.Window, the
// y axis labelled with what is counted per bucket. A bucket the answer
// has no row for (no requests at all) is a gap.
func ChartModel(pl *Plan, r *opsbot.Result, loc *time.Location) (*chart.Chart, error) {
	ti, yi := r.Col("time"), r.Col(pl.Plot)
	if ti < 0 || yi < 0 {
		return nil, fmt.Errorf("chart needs columns time and %s", pl.Plot)
	}
	s := chart.SeriesSpec{Name: pl.What.Label, Points: make([]chart.Point, 0, len(r.Rows))}
	for _, row := range r.Rows {
		t, ok := row[ti].(time.Time)
		if !ok {
			return nil, fmt.Errorf("column time holds %T, not a time", row[ti])
		}
		if y, ok := warehouse.Float(row[yi]); ok {
			s.Points = append(s.Points, chart.Point{T: t, V: y})
		}
	}
	p := chart.PanelSpec{YLabel: noun(pl.What) + " per " + stepPer(pl.Step), Series: []chart.SeriesSpec{s}}
	if pl.What.Bytes {
		p.Format = chart.Bytes
	}
	return chart.Build(chart.Spec{Title: pl.Title, Since: pl.Window.Since, Until: pl.Window.Until, Step: pl.Step,
		Loc: loc, Panels: []chart.PanelSpec{p}}), nil
}

// ChartFile is the chart's file name, from what the phrase counts:
// requests.png, 5xx.png, bytes.png, slow.png.
func ChartFile(w What) string {
	switch {
	case w.Bytes:
		return "bytes.png"
	case w.MinSeconds > 0:
		return "slow.png"
	}
	return strings.ToLower(w.Label) + ".png"
}

// noun is what a graph counts, for its y axis.
func noun(w What) string {
	switch {
	case w.Bytes:
		return "bytes"
	case w.MinSeconds > 0:
		return w.Label + " requests"
	case w.Label == "requests" || w.Label == "errors":
		return w.Label
	}
	return strings.ToLower(w.Label) + " responses"
}
