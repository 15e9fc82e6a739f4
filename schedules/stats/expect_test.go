package stats_test

import (
	"math"
	"net/netip"
	"sort"
	"time"

	"github.com/opsbot/opsbot/internal/loggen"
)

// Expected figures, computed from the generated lines alone.

type want struct {
	requests, bytes, clients float64
	r4xx, r5xx, cacheHit     float64
	p95                      float64
	busiestDay               string
	busiestDayN              float64
	busiestHour              string
	busiestHourN             float64
}

func expect(lines []loggen.Line, since, until time.Time, loc *time.Location) want {
	var w want
	ips := map[netip.Addr]bool{}
	var s4, s5, hits, misses float64
	var tt []float64
	days, hours := map[string]float64{}, map[time.Time]float64{}
	for _, l := range lines {
		if l.TS.Before(since) || !l.TS.Before(until) {
			continue
		}
		w.requests++
		w.bytes += float64(l.BytesOut)
		ips[netip.MustParseAddr(l.ClientIP)] = true
		switch {
		case l.Status >= 400 && l.Status < 500:
			s4++
		case l.Status >= 500 && l.Status < 600:
			s5++
		}
		switch l.ResultType {
		case "Hit", "RefreshHit":
			hits++
		case "Miss":
			misses++
		}
		tt = append(tt, float64(float32(l.TimeTaken)))
		days[l.TS.In(loc).Format("2006-01-02, Monday")]++
		hours[l.TS.Truncate(time.Hour)]++
	}
	w.clients = float64(len(ips))
	w.r4xx, w.r5xx, w.cacheHit = s4/w.requests, s5/w.requests, hits/(hits+misses)
	w.p95 = quantile(tt, 0.95)
	for d, n := range days {
		if n > w.busiestDayN || n == w.busiestDayN && d < w.busiestDay {
			w.busiestDay, w.busiestDayN = d, n
		}
	}
	var peak time.Time
	for h, n := range hours {
		if n > w.busiestHourN || n == w.busiestHourN && h.Before(peak) {
			peak, w.busiestHourN = h, n
		}
	}
	w.busiestHour = peak.In(loc).Format("Mon 2006-01-02 15:04 MST")
	return w
}

// quantile is the exact quantile as ClickHouse's quantileExact picks it:
// the element at floor(level*n) of the sorted values, rounded to 3 places.
func quantile(v []float64, level float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return math.Round(s[int(level*float64(len(s)))]*1000) / 1000
}

// median of xs.
func median(xs ...float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
