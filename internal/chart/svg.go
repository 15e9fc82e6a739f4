package chart

import (
	"bytes"
	"fmt"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// SVG draws c as an SVG document, for web pages: the same drawing as PNG,
// its text in the browser's fonts (none embedded, which keeps it small).
func (c *Chart) SVG() ([]byte, error) {
	cv := vgsvg.NewWith(vgsvg.UseWH(Width, c.height()), vgsvg.EmbedFonts(false))
	if err := c.drawOn(draw.New(cv)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := cv.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("encode chart svg: %w", err)
	}
	return b.Bytes(), nil
}
