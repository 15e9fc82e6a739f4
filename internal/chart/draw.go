package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Size of a drawing: Width, and Height per panel plus Extra for the title
// and the time axis.
const (
	Width  = 9 * vg.Inch
	Height = 2.2 * vg.Inch
	Extra  = 0.9 * vg.Inch
)

// PNG draws c. Charts whose lines are all grey are written as a PNG of 256
// greys (a fifth of the encoding time of RGBA); others in colour.
func (c *Chart) PNG() ([]byte, error) {
	cv := vgimg.New(Width, c.height())
	if err := c.drawOn(draw.New(cv)); err != nil {
		return nil, err
	}
	rgba, ok := cv.Image().(*image.RGBA)
	if !ok {
		return nil, fmt.Errorf("chart canvas is %T, not RGBA", cv.Image())
	}
	if c.gray() {
		return encodeGray(rgba)
	}
	return encode(rgba)
}

// height is the drawing's height: Height a panel plus Extra.
func (c *Chart) height() vg.Length { return Extra + Height*vg.Length(len(c.Panels)) }

// drawOn draws the panels stacked on dc (a PNG's or an SVG's canvas).
func (c *Chart) drawOn(dc draw.Canvas) error {
	plots := make([][]*plot.Plot, len(c.Panels))
	for i := range c.Panels {
		p, err := c.plot(i)
		if err != nil {
			return err
		}
		plots[i] = []*plot.Plot{p}
	}
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4),
		PadLeft: vg.Points(4), PadRight: vg.Points(12), PadY: vg.Points(6)}
	for i, cs := range plot.Align(plots, tiles, dc) {
		plots[i][0].Draw(cs[0])
	}
	return nil
}

// plot is panel i: the title on the first, time labels on the last.
func (c *Chart) plot(i int) (*plot.Plot, error) {
	pn := c.Panels[i]
	p := plot.New()
	if i == 0 {
		p.Title.Text = c.Title
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = c.XMin, c.XMax, 0, pn.YMax
	p.Y.Label.Text = pn.YLabel
	p.Y.Tick.Marker = plot.ConstantTicks(plotTicks(pn.YTicks, true))
	p.X.Tick.Marker = plot.ConstantTicks(plotTicks(c.XTicks, i == len(c.Panels)-1))
	if i == len(c.Panels)-1 {
		p.X.Label.Text = c.XLabel
		if c.Note != "" {
			p.X.Label.Text += " · " + c.Note
		}
	}
	p.Add(plotter.NewGrid())
	for _, l := range pn.Lines {
		if err := addLine(p, l); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func plotTicks(ts []Tick, labels bool) []plot.Tick {
	out := make([]plot.Tick, len(ts))
	for i, t := range ts {
		out[i] = plot.Tick{Value: t.Value}
		if labels {
			out[i].Label = t.Label
		}
	}
	return out
}

// addLine draws l's segments (a lone bucket as a dot) and hollow markers
// at its partial buckets.
func addLine(p *plot.Plot, l Line) error {
	for _, s := range l.Segments {
		if len(s.Points) == 1 && !s.Dashed {
			if err := addDots(p, s.Points, l.Color, draw.CircleGlyph{}); err != nil {
				return err
			}
			continue
		}
		ln, err := plotter.NewLine(s.Points)
		if err != nil {
			return err
		}
		ln.Color, ln.Width = l.Color, vg.Points(1.5)
		if s.Dashed {
			ln.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(ln)
	}
	if len(l.Partial) == 0 {
		return nil
	}
	return addDots(p, l.Partial, l.Color, draw.RingGlyph{})
}

func addDots(p *plot.Plot, xys plotter.XYs, c color.RGBA, g draw.GlyphDrawer) error {
	sc, err := plotter.NewScatter(xys)
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: g}
	p.Add(sc)
	return nil
}

// gray says whether every line is drawn in a grey.
func (c *Chart) gray() bool {
	for _, p := range c.Panels {
		for _, l := range p.Lines {
			if l.Color.R != l.Color.G || l.Color.G != l.Color.B {
				return false
			}
		}
	}
	return true
}

// encodeGray writes a chart drawn in black and greys as a PNG of 256
// greys: one byte a pixel, and a palette (which PNG encoders leave
// unfiltered), make encoding, most of a chart's time as RGBA, much cheaper
// (BENCHMARKS.md).
func encodeGray(img *image.RGBA) ([]byte, error) {
	g := image.NewPaletted(img.Rect, grays)
	for i := range g.Pix {
		p := img.Pix[4*i : 4*i+3 : 4*i+3]
		g.Pix[i] = uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16)
	}
	return encode(g)
}

func encode(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, img); err != nil {
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
