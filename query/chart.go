package query

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Chart draws column y of a time series (a "time" column and a numeric
// one, as rate.sql and traffic.sql return) as a PNG line chart, with times
// shown in loc.
func Chart(title string, r *opsbot.Result, y string, loc *time.Location) ([]byte, error) {
	ti, yi := r.Col("time"), r.Col(y)
	if ti < 0 || yi < 0 {
		return nil, fmt.Errorf("chart needs columns time and %s", y)
	}
	pts := make(plotter.XYs, 0, len(r.Rows))
	for _, row := range r.Rows {
		t, ok := row[ti].(time.Time)
		if !ok {
			return nil, fmt.Errorf("column time holds %T, not a time", row[ti])
		}
		y, _ := warehouse.Float(row[yi]) // nil (no value) plots as 0
		pts = append(pts, plotter.XY{X: float64(t.Unix()), Y: y})
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = y
	p.Y.Min = 0
	p.X.Tick.Marker = plot.TimeTicks{Format: "15:04\nJan 2", Time: func(t float64) time.Time { return time.Unix(int64(t), 0).In(loc) }}
	p.Add(plotter.NewGrid())
	if len(pts) > 0 {
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.Width = vg.Points(1.5)
		p.Add(line)
	}
	c := vgimg.New(8*vg.Inch, 3.5*vg.Inch)
	p.Draw(draw.New(c))
	rgba, ok := c.Image().(*image.RGBA)
	if !ok {
		return nil, fmt.Errorf("chart canvas is %T, not RGBA", c.Image())
	}
	return encodeGray(rgba)
}

// encodeGray writes a chart, drawn in black and greys, as a PNG of 256
// greys. Encoding was most of a chart's time (11 of 15 ms as RGBA): one
// byte a pixel, and a palette (which PNG encoders leave unfiltered), make
// it about a fifth of that.
func encodeGray(img *image.RGBA) ([]byte, error) {
	g := image.NewPaletted(img.Rect, grays)
	for i := range g.Pix {
		p := img.Pix[4*i : 4*i+3 : 4*i+3]
		g.Pix[i] = uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16)
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, g); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return b.Bytes(), nil
}

var grays = func() color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		p[i] = color.Gray{Y: uint8(i)}
	}
	return p
}()
