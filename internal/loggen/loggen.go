// Package loggen generates realistic, deterministic CDN traffic for the demo,
// the tests and the benchmarks: a diurnal curve, a few noisy clients
// hammering bad paths, 5xx bursts, IPv6 clients, cache hits and misses.
// Tests compute expected answers from the generated Lines themselves, never
// from the code under test.
package loggen

import (
	"math"
	"math/rand/v2"
	"time"
)

// Line is one request, with the fields CloudFront's standard log carries.
type Line struct {
	TS           time.Time // UTC, millisecond precision
	ClientIP     string    // IPv4 or IPv6 text
	Method       string
	Host         string // the viewer's Host header (x-host-header)
	Path         string
	Query        string // without '?'; "" when none
	Status       int    // 0 is CloudFront's 000
	BytesOut     int64
	BytesIn      int64
	TimeTaken    float64 // seconds, 3 decimals
	UserAgent    string  // decoded
	Referer      string  // "" when none
	EdgeLocation string
	ResultType   string // Hit, Miss, RefreshHit, Error, Redirect
	Protocol     string // http, https
	HTTPVersion  string // HTTP/1.1, HTTP/2.0
	ForwardedFor string // "" when none
	RequestID    string
}

// Options shape the traffic.
type Options struct {
	Start    time.Time     // default: yesterday 00:00 UTC
	Duration time.Duration // default: 24h
	Lines    int           // default: 200,000
	Seed     uint64        // default: 1
	// Distribution is the CloudFront distribution ID used in object names
	// and its domain (default E2OPSBOTDEMO).
	Distribution string
}

func (o *Options) fill() {
	if o.Start.IsZero() {
		o.Start = time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour)
	}
	if o.Duration <= 0 {
		o.Duration = 24 * time.Hour
	}
	if o.Lines <= 0 {
		o.Lines = 200_000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Distribution == "" {
		o.Distribution = "E2OPSBOTDEMO"
	}
	o.Start = o.Start.UTC()
}

// Generate returns every line, in time order.
func Generate(o Options) []Line {
	o.fill()
	out := make([]Line, 0, o.Lines)
	Each(o, func(l *Line) { out = append(out, *l) })
	return out
}

// Each calls fn for every line in time order without holding them all. fn
// must copy the Line if it keeps it.
func Each(o Options, fn func(*Line)) {
	o.fill()
	g := newGen(o)
	var l Line
	for i := 0; i < o.Lines; i++ {
		g.line(i, &l)
		fn(&l)
	}
}

// gen holds the random source and the time curve.
type gen struct {
	o    Options
	r    *rand.Rand
	cdf  []float64 // cumulative diurnal weight per minute, 0..1
	ipv4 []string
	ipv6 []string
}

func newGen(o Options) *gen {
	g := &gen{o: o, r: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))}
	g.curve()
	g.clients()
	return g
}

// curve builds the inverse-CDF table for a day-shaped load: quiet at 04:00
// UTC, busy at 16:00.
func (g *gen) curve() {
	minutes := int(g.o.Duration / time.Minute)
	if minutes < 1 {
		minutes = 1
	}
	g.cdf = make([]float64, minutes+1)
	total := 0.0
	for m := 0; m < minutes; m++ {
		t := g.o.Start.Add(time.Duration(m) * time.Minute)
		h := float64(t.Hour()) + float64(t.Minute())/60
		total += 1.6 + math.Sin((h-10)/24*2*math.Pi)
		g.cdf[m+1] = total
	}
	for i := range g.cdf {
		g.cdf[i] /= total
	}
}

// at maps u in [0,1) to a time through the inverse CDF; increasing u gives
// non-decreasing times.
func (g *gen) at(u float64) time.Time {
	lo, hi := 0, len(g.cdf)-1
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if g.cdf[mid] <= u {
			lo = mid
		} else {
			hi = mid
		}
	}
	span := g.cdf[hi] - g.cdf[lo]
	frac := 0.0
	if span > 0 {
		frac = (u - g.cdf[lo]) / span
	}
	d := time.Duration((float64(lo) + frac) * float64(time.Minute))
	if d >= g.o.Duration {
		d = g.o.Duration - time.Millisecond
	}
	return g.o.Start.Add(d).Truncate(time.Millisecond)
}
