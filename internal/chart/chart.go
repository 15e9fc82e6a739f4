// Package chart draws time series for people: one or more panels stacked
// over a shared time axis, with labelled axes, round ticks, gaps where a
// bucket has no data and partial buckets (a window edge that cuts a bucket)
// drawn dashed with a hollow marker and named in the x label.
//
// Build turns a Spec into a Chart, a model of everything drawn (ticks,
// labels, segments, markers, the y range) that tests can inspect; PNG draws
// the model with gonum/plot. The query answers (`graph …`) and the daily
// report use it.
package chart

import (
	"image/color"
	"time"

	"gonum.org/v1/plot/plotter"
)

// Spec is what to draw: buckets of Step from Since (truncated to Step)
// until Until.
type Spec struct {
	Title        string
	Since, Until time.Time
	Step         time.Duration
	Loc          *time.Location // ticks and the x label's zone; UTC when nil
	Panels       []PanelSpec    // top to bottom
}

// PanelSpec is one panel: its y axis and its series.
type PanelSpec struct {
	YLabel string               // with its unit, e.g. "requests per 5 min"
	Format func(float64) string // y tick labels; Count when nil
	Series []SeriesSpec
}

// SeriesSpec is one line. A bucket without a point is a gap, not a zero.
type SeriesSpec struct {
	Name   string
	Color  color.RGBA // zero: black
	Points []Point
}

// Point is one bucket's value, at the bucket's start.
type Point struct {
	T time.Time
	V float64
}

// Chart is the model of a drawing; X values are Unix seconds.
type Chart struct {
	Title      string
	XLabel     string
	Note       string // what dashes and hollow markers mean, when a bucket is partial
	XMin, XMax float64
	XTicks     []Tick
	Panels     []Panel
}

// Tick is one labelled tick.
type Tick struct {
	Value float64
	Label string
}

// Panel is one y axis and its lines.
type Panel struct {
	YLabel string
	YMax   float64 // above every value: headroom under the title
	YTicks []Tick
	Lines  []Line
}

// Line is one series, broken at gaps into segments.
type Line struct {
	Name     string
	Color    color.RGBA
	Segments []Segment
	Partial  plotter.XYs // partial buckets, drawn as hollow markers
}

// Segment is an unbroken run of buckets; Dashed when it reaches into a
// partial bucket.
type Segment struct {
	Points plotter.XYs
	Dashed bool
}

// PartialNote is the Chart's Note when some bucket is partial.
const PartialNote = "dashed, hollow: partial bucket"

// Build makes the model of s.
func Build(s Spec) *Chart {
	loc := s.Loc
	if loc == nil {
		loc = time.UTC
	}
	grid := buckets(s)
	c := &Chart{Title: s.Title, XLabel: "time (" + zone(loc, s.Since) + ")",
		XMin: float64(grid[0].Unix()), XMax: float64(s.Until.Unix())}
	c.XTicks = timeTicks(time.Unix(int64(c.XMin), 0), s.Until, loc)
	for _, ps := range s.Panels {
		p := Panel{YLabel: ps.YLabel}
		peak := 0.0
		for _, ss := range ps.Series {
			l, lp := line(ss, grid, s)
			p.Lines, peak = append(p.Lines, l), max(peak, lp)
			if len(l.Partial) > 0 {
				c.Note = PartialNote
			}
		}
		p.YMax, p.YTicks = yTicks(peak, ps.Format)
		c.Panels = append(c.Panels, p)
	}
	return c
}

// buckets are the starts of the buckets the window touches (at least one).
func buckets(s Spec) []time.Time {
	step := s.Step
	if step <= 0 {
		step = time.Hour
	}
	var g []time.Time
	for t := s.Since.Truncate(step); t.Before(s.Until) || len(g) == 0; t = t.Add(step) {
		g = append(g, t)
	}
	return g
}

// line places a series on the grid: runs of buckets with values become
// segments, dashed where they touch a partial bucket.
func line(ss SeriesSpec, grid []time.Time, s Spec) (Line, float64) {
	byT := make(map[int64]float64, len(ss.Points))
	for _, p := range ss.Points {
		byT[p.T.Unix()] = p.V
	}
	l, peak := Line{Name: ss.Name, Color: ss.Color}, 0.0
	if l.Color == (color.RGBA{}) {
		l.Color = color.RGBA{A: 255}
	}
	var prev *bucket
	for _, t := range grid {
		v, ok := byT[t.Unix()]
		if !ok {
			prev = nil
			continue
		}
		b := &bucket{xy: plotter.XY{X: float64(t.Unix()), Y: v}, partial: t.Before(s.Since) || t.Add(s.Step).After(s.Until)}
		l.extend(prev, b)
		prev, peak = b, max(peak, v)
	}
	return l, peak
}

type bucket struct {
	xy      plotter.XY
	partial bool
}

// extend adds b after prev (nil: after a gap or at the start).
func (l *Line) extend(prev, b *bucket) {
	if b.partial {
		l.Partial = append(l.Partial, b.xy)
	}
	if prev == nil {
		l.Segments = append(l.Segments, Segment{Points: plotter.XYs{b.xy}, Dashed: b.partial})
		return
	}
	dashed := prev.partial || b.partial
	last := &l.Segments[len(l.Segments)-1]
	if len(last.Points) == 1 {
		last.Dashed = dashed
	} else if last.Dashed != dashed {
		l.Segments = append(l.Segments, Segment{Points: plotter.XYs{prev.xy}, Dashed: dashed})
		last = &l.Segments[len(l.Segments)-1]
	}
	last.Points = append(last.Points, b.xy)
}

// zone names loc for the x label: "UTC", or its abbreviation at t.
func zone(loc *time.Location, t time.Time) string {
	if loc == time.UTC {
		return "UTC"
	}
	name, _ := t.In(loc).Zone()
	return name
}
