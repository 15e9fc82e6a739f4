package report

import (
	"bytes"
	"image/color"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Chart draws requests, 4xx and 5xx per 5 minutes over the day as a PNG.
// Buckets without traffic are drawn as zero.
func Chart(r *Report) ([]byte, error) {
	p := plot.New()
	loc := r.Day.Location()
	p.Title.Text = "Requests and errors per 5 minutes, " + r.Day.Format("Mon 2 Jan 2006") + " (" + loc.String() + ")"
	p.Y.Label.Text = "requests / 5 min"
	p.X.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		var ts []plot.Tick
		for t := r.Day; !t.After(r.Day.AddDate(0, 0, 1)); t = t.Add(time.Hour) {
			label := ""
			if t.In(loc).Hour()%3 == 0 {
				label = t.In(loc).Format("15:04")
			}
			ts = append(ts, plot.Tick{Value: float64(t.Unix()), Label: label})
		}
		return ts
	})
	p.Y.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ts := plot.DefaultTicks{}.Ticks(lo, hi)
		for i := range ts {
			if ts[i].Label != "" {
				ts[i].Label = strconv.FormatFloat(ts[i].Value, 'f', 0, 64)
			}
		}
		return ts
	})
	p.Legend.Top = true
	for _, s := range []struct {
		name string
		get  func(Point) uint64
		c    color.RGBA
	}{
		{"requests", func(p Point) uint64 { return p.Requests }, color.RGBA{R: 40, G: 100, B: 200, A: 255}},
		{"4xx", func(p Point) uint64 { return p.S4xx }, color.RGBA{R: 230, G: 160, B: 0, A: 255}},
		{"5xx + 000", func(p Point) uint64 { return p.S5xx }, color.RGBA{R: 210, G: 30, B: 30, A: 255}},
	} {
		l, err := plotter.NewLine(points(r, s.get))
		if err != nil {
			return nil, err
		}
		l.Color = s.c
		l.Width = vg.Points(1.2)
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	p.Add(plotter.NewGrid())
	w, err := p.WriterTo(12*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// points fills every 5-minute bucket of the day, zero where there was no
// traffic.
func points(r *Report, get func(Point) uint64) plotter.XYs {
	byT := map[int64]uint64{}
	for _, p := range r.Series {
		byT[p.T.Unix()] = get(p)
	}
	var xy plotter.XYs
	for t := r.Since; t.Before(r.Until); t = t.Add(5 * time.Minute) {
		xy = append(xy, plotter.XY{X: float64(t.Unix()), Y: float64(byT[t.Unix()])})
	}
	return xy
}
