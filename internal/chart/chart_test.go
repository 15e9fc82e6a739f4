package chart_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/opsbot/opsbot/internal/chart"
)

var t0 = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// spec is one panel of every 5-minute bucket from since to until, but
// those in skip.
func spec(since, until time.Time, skip ...int) chart.Spec {
	var pts []chart.Point
	for i, t := 0, since.Truncate(5*time.Minute); t.Before(until); i, t = i+1, t.Add(5*time.Minute) {
		if !contains(skip, i) {
			pts = append(pts, chart.Point{T: t, V: float64(100 + i)})
		}
	}
	return chart.Spec{Title: "Requests per 5 minutes", Since: since, Until: until, Step: 5 * time.Minute,
		Panels: []chart.PanelSpec{{YLabel: "requests per 5 min", Series: []chart.SeriesSpec{{Name: "requests", Points: pts}}}}}
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func labels(ts []chart.Tick) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Label)
	}
	return out
}

// TestTimeTicksAreRound: an hour is ticked every 10 minutes, a day every 3
// hours with the dates at midnight, never at the window's odd edges.
func TestTimeTicksAreRound(t *testing.T) {
	for _, c := range []struct {
		since, until time.Time
		want         []string
	}{
		{t0.Add(10*time.Hour + 7*time.Minute + 13*time.Second), t0.Add(11*time.Hour + 7*time.Minute + 13*time.Second),
			[]string{"10:10", "10:20", "10:30", "10:40", "10:50", "11:00"}},
		{t0.Add(8*time.Hour + 26*time.Minute), t0.Add(10*time.Hour + 26*time.Minute),
			[]string{"08:30", "08:45", "09:00", "09:15", "09:30", "09:45", "10:00", "10:15"}},
		{t0, t0.Add(24 * time.Hour), []string{"Nov 22", "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00", "Nov 23"}},
	} {
		c1 := chart.Build(spec(c.since, c.until))
		if got := labels(c1.XTicks); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s–%s: ticks %q, want %q", c.since.Format("15:04"), c.until.Format("15:04"), got, c.want)
		}
		for _, tk := range c1.XTicks {
			if tk.Value < c1.XMin || tk.Value > c1.XMax || int64(tk.Value)%300 != 0 {
				t.Errorf("tick %s at %v: outside [%v, %v] or off the 5 minutes", tk.Label, tk.Value, c1.XMin, c1.XMax)
			}
		}
	}
}

// TestAxesAreLabelled: the x axis names its zone, the y axis what is
// counted per bucket.
func TestAxesAreLabelled(t *testing.T) {
	s := spec(t0, t0.Add(time.Hour))
	if c := chart.Build(s); c.XLabel != "time (UTC)" || c.Panels[0].YLabel != "requests per 5 min" {
		t.Errorf("labels %q, %q", c.XLabel, c.Panels[0].YLabel)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	s.Loc = paris
	c := chart.Build(s)
	if c.XLabel != "time (CET)" || c.XTicks[0].Label != "01:00" {
		t.Errorf("in Paris: %q, first tick %q", c.XLabel, c.XTicks[0].Label)
	}
}

// TestYTicksOneTwoFive: y ticks from 0 at a 1-2-5 step, with a top above
// the peak, labelled compactly.
func TestYTicksOneTwoFive(t *testing.T) {
	for _, c := range []struct {
		peak float64
		top  float64
		want []string
	}{
		{0, 1, []string{"0", "1"}},
		{3, 4, []string{"0", "1", "2", "3", "4"}},
		{87, 100, []string{"0", "20", "40", "60", "80", "100"}},
		{100, 120, []string{"0", "20", "40", "60", "80", "100", "120"}},
		{1234, 1500, []string{"0", "500", "1k", "1.5k"}},
		{2_600_000, 3_000_000, []string{"0", "1M", "2M", "3M"}},
	} {
		s := spec(t0, t0.Add(5*time.Minute))
		s.Panels[0].Series[0].Points[0].V = c.peak
		p := chart.Build(s).Panels[0]
		if p.YMax != c.top || !reflect.DeepEqual(labels(p.YTicks), c.want) {
			t.Errorf("peak %v: top %v ticks %q, want %v %q", c.peak, p.YMax, labels(p.YTicks), c.top, c.want)
		}
		if p.YMax < c.peak*1.1 {
			t.Errorf("peak %v: top %v leaves no headroom", c.peak, p.YMax)
		}
	}
	if got := chart.Bytes(1_500_000); got != "1.5 MB" {
		t.Errorf("Bytes(1.5e6) = %q", got)
	}
}

// TestGapBreaksTheLine: buckets without data are no points, and the line
// stops at them instead of drawing through (or down to zero).
func TestGapBreaksTheLine(t *testing.T) {
	l := chart.Build(spec(t0, t0.Add(time.Hour), 3, 4, 8)).Panels[0].Lines[0]
	var sizes []int
	for _, s := range l.Segments {
		if s.Dashed {
			t.Errorf("segment %v dashed in an aligned window", s.Points)
		}
		sizes = append(sizes, len(s.Points))
	}
	if !reflect.DeepEqual(sizes, []int{3, 3, 3}) || len(l.Partial) != 0 {
		t.Errorf("segments of %v points, partial %v; want 3, 3, 3 and none", sizes, l.Partial)
	}
}

// TestPartialBucketsAreMarked: a window cutting its first and last
// buckets draws the lines into them dashed, with hollow markers, and says
// so.
func TestPartialBucketsAreMarked(t *testing.T) {
	since := t0.Add(10*time.Hour + 7*time.Minute + 13*time.Second)
	c := chart.Build(spec(since, since.Add(time.Hour)))
	l := c.Panels[0].Lines[0]
	at := func(h, m int) float64 {
		return float64(t0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute).Unix())
	}
	var got [][3]float64 // first x, last x, dashed
	for _, s := range l.Segments {
		got = append(got, [3]float64{s.Points[0].X, s.Points[len(s.Points)-1].X, map[bool]float64{true: 1}[s.Dashed]})
	}
	want := [][3]float64{{at(10, 5), at(10, 10), 1}, {at(10, 10), at(11, 0), 0}, {at(11, 0), at(11, 5), 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("segments %v, want %v", got, want)
	}
	if len(l.Partial) != 2 || l.Partial[0].X != at(10, 5) || l.Partial[1].X != at(11, 5) || c.Note != chart.PartialNote {
		t.Errorf("partial %v, note %q", l.Partial, c.Note)
	}
	if c.XMin != at(10, 5) || c.XMax != float64(since.Add(time.Hour).Unix()) {
		t.Errorf("x from %v to %v", c.XMin, c.XMax)
	}
}

// TestPNGEncodes: a grey chart is written in greys, a coloured one in
// colour; both decode. CHART_PNG=DIR keeps them for a look.
func TestPNGEncodes(t *testing.T) {
	since := t0.Add(10*time.Hour + 7*time.Minute + 13*time.Second)
	grey := spec(since, since.Add(time.Hour), 4, 5)
	colour := spec(t0, t0.Add(24*time.Hour), 100, 101, 102)
	colour.Panels = append(colour.Panels, colour.Panels[0])
	colour.Panels[1].Series = []chart.SeriesSpec{{Name: "5xx", Color: color.RGBA{R: 210, A: 255}, Points: colour.Panels[0].Series[0].Points[:50]}}
	for name, s := range map[string]chart.Spec{"grey": grey, "colour": colour} {
		b, err := chart.Build(s).PNG()
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() < 600 {
			t.Fatalf("%s: %v", name, err)
		}
		if _, paletted := img.(*image.Paletted); paletted != (name == "grey") {
			t.Errorf("%s: decoded as %T", name, img)
		}
		if dir := os.Getenv("CHART_PNG"); dir != "" {
			if err := os.WriteFile(dir+"/"+name+".png", b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// The SVG is the same drawing as the PNG: a document with the title and
// the panels' labels as text.
func TestSVGHoldsTheLabels(t *testing.T) {
	c := chart.Build(chart.Spec{Title: "Requests per minute", Since: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		Until: time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC), Step: time.Minute,
		Panels: []chart.PanelSpec{{YLabel: "requests per min", Series: []chart.SeriesSpec{{Name: "requests",
			Points: []chart.Point{{T: time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC), V: 7}}}}}}})
	b, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "Requests per minute", "requests per min", "</svg>"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("svg lacks %q", want)
		}
	}
}
