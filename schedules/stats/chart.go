package stats

import (
	"bytes"
	"image/color"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// ChartWeeks is how many weeks the chart shows, this one included.
const ChartWeeks = 8

// panel is one small chart: a headline metric over the weeks.
type panel struct {
	m     Metric
	title string
	scale func(max float64) (div float64, unit string) // the y axis's unit
}

var panels = []panel{
	{Requests, "Requests per week", countScale("requests")},
	{BytesServed, "Bytes served per week", byteScale},
	{Ratio5xx, "5xx ratio", fixed(0.01, "% of requests")},
	{P95, "p95 time taken", fixed(1, "seconds")},
}

// Chart draws the headline metrics over the last ChartWeeks weeks (the
// stored ones and this one) as a 2×2 PNG: each panel a line with a point
// per week, labelled axes with units and round ticks. Weeks without a
// figure are gaps, never zeros.
func Chart(r *Report) ([]byte, error) {
	const w, h = 12 * vg.Inch, 7 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 2, PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 6,
		PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 5}
	weeks := r.chartWeeks()
	for i, pn := range panels {
		p, err := r.panel(pn, weeks)
		if err != nil {
			return nil, err
		}
		p.Draw(tiles.At(dc, i%2, i/2))
	}
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// chartWeeks are the week starts of the chart, oldest first.
func (r *Report) chartWeeks() []time.Time {
	out := make([]time.Time, ChartWeeks)
	for i := range out {
		out[i] = r.Window.Since.In(r.Location).AddDate(0, 0, -7*(ChartWeeks-1-i)).UTC()
	}
	return out
}

// value is the metric's total in the week starting at t: this window's
// from its figures, earlier ones from the history.
func (r *Report) value(m Metric, t time.Time) (float64, bool) {
	if t.Equal(r.Window.Since) {
		for _, s := range r.Sections {
			for _, f := range s.Figures {
				if f.Metric == m && f.Dimension == "" {
					return f.Value, true
				}
			}
		}
		return 0, false
	}
	return r.History.Value(m.Name, t)
}

func (r *Report) panel(pn panel, weeks []time.Time) (*plot.Plot, error) {
	var pts plotter.XYs
	max := 0.0
	for i, t := range weeks {
		if v, ok := r.value(pn.m, t); ok {
			pts = append(pts, plotter.XY{X: float64(i), Y: v})
			max = math.Max(max, v)
		}
	}
	div, unit := pn.scale(max)
	for i := range pts {
		pts[i].Y /= div
	}
	p := plot.New()
	p.Title.Text = pn.title
	p.Y.Label.Text = unit
	p.X.Label.Text = "week starting (" + r.Location.String() + ")"
	p.X.Min, p.X.Max = -0.3, float64(len(weeks))-0.7
	p.Y.Min = 0
	p.Y.Max = niceMax(max / div)
	p.X.Tick.Marker = weekTicks(weeks, r.Location)
	p.Y.Tick.Marker = roundTicks{}
	p.Add(plotter.NewGrid())
	if len(pts) == 0 {
		return p, nil
	}
	line, dots, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, err
	}
	line.Color, line.Width = color.RGBA{R: 40, G: 100, B: 200, A: 255}, vg.Points(1.5)
	dots.Color, dots.Shape = line.Color, draw.CircleGlyph{}
	p.Add(line, dots)
	return p, nil
}

// weekTicks label each week with its Monday's date.
func weekTicks(weeks []time.Time, loc *time.Location) plot.Ticker {
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ts := make([]plot.Tick, len(weeks))
		for i, t := range weeks {
			ts[i] = plot.Tick{Value: float64(i), Label: t.In(loc).Format("2 Jan")}
		}
		return ts
	})
}

// roundTicks label 4 to 8 steps of 1, 2, 2.5 or 5 times a power of
// ten, in plain decimals, every label of an axis with the same number of
// decimals, no more than the steps need.
type roundTicks struct{}

func (roundTicks) Ticks(lo, hi float64) []plot.Tick {
	step := tickStep(hi - lo)
	var vs []float64
	for k := math.Ceil(lo / step); k*step <= hi+step*1e-9; k++ {
		vs = append(vs, k*step)
	}
	prec := decimals(vs)
	ts := make([]plot.Tick, len(vs))
	for i, v := range vs {
		ts[i] = plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', prec, 64)}
	}
	return ts
}

// tickStep is the round step that cuts span into at most 8 whole parts
// (span is a niceMax, so the top is labelled).
func tickStep(span float64) float64 {
	if span <= 0 {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(span))-1)
	for _, m := range []float64{1, 2, 2.5, 5, 10, 20, 25, 50} {
		if n := span / (m * pow); n <= 8 && math.Abs(n-math.Round(n)) < 1e-9 {
			return m * pow
		}
	}
	return 100 * pow
}

// decimals is the fewest decimal places that show every value exactly.
func decimals(vs []float64) int {
	for prec := 0; prec < 6; prec++ {
		exact := true
		for _, v := range vs {
			r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', prec, 64), 64)
			exact = exact && math.Abs(r-v) <= 1e-9*math.Max(1, math.Abs(v))
		}
		if exact {
			return prec
		}
	}
	return 6
}

// niceMax is a round top for an axis whose highest value is v: 1, 1.5,
// 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten, at least 10 % above v.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	v *= 1.1
	pow := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*pow >= v {
			return m * pow
		}
	}
	return 10 * pow
}

func countScale(what string) func(float64) (float64, string) {
	return func(max float64) (float64, string) {
		switch {
		case max >= 2e6:
			return 1e6, what + " (millions)"
		case max >= 2e3:
			return 1e3, what + " (thousands)"
		}
		return 1, what
	}
}

func byteScale(max float64) (float64, string) {
	for _, u := range []struct {
		div  float64
		name string
	}{{1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "kB"}} {
		if max >= 2*u.div {
			return u.div, u.name
		}
	}
	return 1, "bytes"
}

func fixed(div float64, unit string) func(float64) (float64, string) {
	return func(float64) (float64, string) { return div, unit }
}
