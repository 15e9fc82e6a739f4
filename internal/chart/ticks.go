package chart

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// maxXTicks bounds the time ticks: 10 minutes over an hour, 3 hours over a
// day.
const maxXTicks = 9

var tickSteps = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour,
}

// timeTicks are round times in loc from from to to: the smallest step of
// tickSteps that gives at most maxXTicks, on multiples of it counted from
// local midnight. Midnights are labelled with the date when the step is
// whole hours.
func timeTicks(from, to time.Time, loc *time.Location) []Tick {
	span := to.Sub(from)
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if int(span/s)+1 <= maxXTicks {
			step = s
			break
		}
	}
	f := from.In(loc)
	t := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	var ticks []Tick
	for ; !t.After(to); t = next(t, step) {
		if !t.Before(from) {
			ticks = append(ticks, Tick{Value: float64(t.Unix()), Label: timeLabel(t, step)})
		}
	}
	return ticks
}

// next is t plus step on the wall clock: days are calendar days.
func next(t time.Time, step time.Duration) time.Time {
	if step%(24*time.Hour) == 0 {
		return t.AddDate(0, 0, int(step/(24*time.Hour)))
	}
	return t.Add(step)
}

func timeLabel(t time.Time, step time.Duration) string {
	if t.Hour() == 0 && t.Minute() == 0 && step >= time.Hour {
		return t.Format("Jan 2")
	}
	return t.Format("15:04")
}

// yTicks are ticks from 0 at a 1-2-5 step (at least 1: values are counts)
// up to a top at least 10% above peak, and that top.
func yTicks(peak float64, format func(float64) string) (float64, []Tick) {
	if format == nil {
		format = Count
	}
	step := niceStep(peak / 5)
	top := math.Ceil(peak*1.1/step) * step
	if top <= peak {
		top += step
	}
	var ticks []Tick
	for i := 0.0; i*step <= top+step/1e9; i++ {
		ticks = append(ticks, Tick{Value: i * step, Label: format(i * step)})
	}
	return top, ticks
}

// niceStep is the smallest of 1, 2, 5 × 10ⁿ (n ≥ 0) at least raw.
func niceStep(raw float64) float64 {
	for p := 1.0; ; p *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if m*p >= raw {
				return m * p
			}
		}
	}
}

// Count labels a count: 950, 1.5k, 20k, 3M.
func Count(v float64) string { return scaled(v, 1000, []string{"", "k", "M", "G", "T"}, "") }

// Bytes labels a byte count in decimal units: 500 B, 1.5 MB.
func Bytes(v float64) string {
	return scaled(v, 1000, []string{"B", "kB", "MB", "GB", "TB", "PB"}, " ")
}

func scaled(v, base float64, units []string, sep string) string {
	i := 0
	for math.Abs(v) >= base && i < len(units)-1 {
		v, i = v/base, i+1
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return s + sep + units[i]
}
