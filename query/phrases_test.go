package query_test

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/query"
)

func ask(t *testing.T, phrase string, now time.Time) *opsbot.Reply {
	t.Helper()
	w, _ := load(t)
	r, err := query.New(w, query.Options{}).Ask(context.Background(), phrase, now)
	if err != nil {
		t.Fatalf("%s: %v", phrase, err)
	}
	return r
}

func inWindow(l *loggen.Line, since, until time.Time) bool {
	return !l.TS.Before(since) && l.TS.Before(until)
}

func TestStatusMatchesLines(t *testing.T) {
	for _, now := range []time.Time{day.Add(16 * time.Hour), day.Add(16*time.Hour + 7*time.Minute + 13*time.Second)} {
		checkStatus(t, now)
	}
}

// TestStatusReadsTheProjection: over a day, status reads the hourly
// projection and only the window's two partial edge hours of rows.
func TestStatusReadsTheProjection(t *testing.T) {
	_, ls := load(t)
	r := ask(t, "status last 24h", day.Add(20*time.Hour+30*time.Minute))
	if read := r.Table.Stats.RowsRead; read == 0 || read > uint64(len(ls))/4 {
		t.Fatalf("status over 24h read %d rows of %d", read, len(ls))
	}
}

func checkStatus(t *testing.T, now time.Time) {
	_, ls := load(t)
	r := ask(t, "status last 24h", now)
	if names := colNames(r.Table); !slices.Equal(names, []string{"status", "requests"}) {
		t.Fatalf("columns %v", names)
	}
	want := map[uint64]uint64{}
	for i := range ls {
		if inWindow(&ls[i], now.Add(-24*time.Hour), now) {
			want[uint64(ls[i].Status)]++
		}
	}
	got := map[uint64]uint64{}
	for _, row := range r.Table.Rows {
		got[row[0].(uint64)] = row[1].(uint64)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("status mix %v, want %v", got, want)
	}
}

func TestHitsMatchesLines(t *testing.T) {
	_, ls := load(t)
	now := day.Add(24 * time.Hour)
	for _, c := range []struct{ phrase, cidr string }{
		{"hits 104.2.1.1", "104.2.1.1/32"},
		{"hits 2001:db8:bad::17 today", "2001:db8:bad::17/128"},
		{"hits 100.0.0.0/6 yesterday", "100.0.0.0/6"},
	} {
		t.Run(c.phrase, func(t *testing.T) {
			at := now
			if strings.HasSuffix(c.phrase, "today") {
				at = day.Add(20 * time.Hour)
			}
			if strings.HasSuffix(c.phrase, "yesterday") {
				at = day.Add(30 * time.Hour)
			}
			r := ask(t, c.phrase, at)
			p := netip.MustParsePrefix(c.cidr)
			since := at.Add(-24 * time.Hour)
			if strings.HasSuffix(c.phrase, "today") || strings.HasSuffix(c.phrase, "yesterday") {
				since, at = day, day.Add(24*time.Hour)
				if strings.HasSuffix(c.phrase, "today") {
					at = day.Add(20 * time.Hour)
				}
			}
			checkHits(t, r.Table, ls, p, since, at)
		})
	}
}

type client struct {
	requests, bytes uint64
	first, last     time.Time
	statuses        map[string]int
	paths, uas      map[string]int
}

func checkHits(t *testing.T, res *opsbot.Result, ls []loggen.Line, p netip.Prefix, since, until time.Time) {
	t.Helper()
	want := map[string]*client{}
	for i := range ls {
		l := &ls[i]
		if !inWindow(l, since, until) || !p.Contains(netip.MustParseAddr(l.ClientIP).Unmap()) {
			continue
		}
		ip := displayIP(l.ClientIP)
		c := want[ip]
		if c == nil {
			c = &client{first: l.TS, statuses: map[string]int{}, paths: map[string]int{}, uas: map[string]int{}}
			want[ip] = c
		}
		c.requests++
		c.bytes += uint64(l.BytesOut)
		c.last = l.TS
		c.statuses[strconv.Itoa(l.Status)]++
		c.paths[l.Path]++
		c.uas[l.UserAgent]++
	}
	if len(res.Rows) != min(10, len(want)) || len(want) == 0 {
		t.Fatalf("%d rows, want %d", len(res.Rows), min(10, len(want)))
	}
	for _, row := range res.Rows {
		c := want[row[0].(string)]
		if c == nil || row[1] != c.requests || row[2] != c.bytes || !row[3].(time.Time).Equal(c.first) || !row[4].(time.Time).Equal(c.last) {
			t.Fatalf("row %v, want %+v", row, c)
		}
		if got := parseCounts(row[5].(string)); fmt.Sprint(got) != fmt.Sprint(c.statuses) {
			t.Fatalf("%s statuses %v, want %v", row[0], got, c.statuses)
		}
		checkTopCounts(t, "top_paths", parseCounts(row[6].(string)), c.paths)
		checkTopCounts(t, "user_agents", parseCounts(row[7].(string)), c.uas)
	}
}

// parseCounts reads "a: 3, b: 1" (values may contain ", " so split on the
// counts).
func parseCounts(s string) map[string]int {
	out := map[string]int{}
	for s != "" {
		i := strings.Index(s, ": ")
		j := i + 2
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(s[i+2 : j])
		out[s[:i]] = n
		s = strings.TrimPrefix(s[j:], ", ")
	}
	return out
}

// checkTopCounts: exact counts, and nothing left out beats what is shown.
func checkTopCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	low := math.MaxInt
	for k, n := range got {
		if want[k] != n {
			t.Fatalf("%s: %q has %d, want %d", what, k, n, want[k])
		}
		low = min(low, n)
	}
	for k, n := range want {
		if _, ok := got[k]; !ok && (n > low || len(got) < 5) {
			t.Fatalf("%s: %q (%d) left out of %v", what, k, n, got)
		}
	}
}

// series is the expected per-bucket counts of a time series.
func series(ls []loggen.Line, since, until time.Time, step time.Duration, keep func(*loggen.Line) bool, count func(*loggen.Line) uint64) map[time.Time][2]uint64 {
	out := map[time.Time][2]uint64{}
	for i := range ls {
		l := &ls[i]
		if !inWindow(l, since, until) || !keep(l) {
			continue
		}
		b := l.TS.Truncate(step)
		v := out[b]
		v[0]++
		v[1] += count(l)
		out[b] = v
	}
	return out
}

func TestTrafficMatchesLines(t *testing.T) {
	_, ls := load(t)
	now := day.Add(24 * time.Hour)
	for _, c := range []struct {
		phrase string
		keep   func(*loggen.Line) bool
		from   time.Duration
		step   time.Duration
	}{
		{"traffic /donate last 24h", func(l *loggen.Line) bool { return l.Path == "/donate" }, 24 * time.Hour, time.Hour},
		{"traffic api.example.org", func(l *loggen.Line) bool { return l.Host == "api.example.org" }, time.Hour, 5 * time.Minute},
		{"traffic last 6h", func(l *loggen.Line) bool { return true }, 6 * time.Hour, 15 * time.Minute},
	} {
		t.Run(c.phrase, func(t *testing.T) {
			r := ask(t, c.phrase, now)
			want := series(ls, now.Add(-c.from), now, c.step, c.keep, func(l *loggen.Line) uint64 { return uint64(l.BytesOut) })
			five := series(ls, now.Add(-c.from), now, c.step, c.keep, func(l *loggen.Line) uint64 { return b2u(l.Status >= 500 && l.Status <= 599) })
			four := series(ls, now.Add(-c.from), now, c.step, c.keep, func(l *loggen.Line) uint64 { return b2u(l.Status >= 400 && l.Status <= 499) })
			if len(r.Table.Rows) != len(want) {
				t.Fatalf("%d buckets, want %d", len(r.Table.Rows), len(want))
			}
			for _, row := range r.Table.Rows {
				b := row[0].(time.Time)
				if w := want[b]; row[1] != w[0] || row[5] != w[1] || row[3] != four[b][1] || row[4] != five[b][1] || row[2] != w[0]-four[b][1]-five[b][1] {
					t.Fatalf("bucket %v: %v, want requests %d 4xx %d 5xx %d bytes %d", b, row, w[0], four[b][1], five[b][1], w[1])
				}
			}
		})
	}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func TestRateAndGraphMatchLines(t *testing.T) {
	_, ls := load(t)
	now := day.Add(11*time.Hour + 7*time.Minute + 13*time.Second)
	for _, c := range []struct {
		phrase string
		match  func(*loggen.Line) bool
		from   time.Duration
		step   time.Duration
	}{
		{"rate 5xx", func(l *loggen.Line) bool { return l.Status >= 500 && l.Status <= 599 }, time.Hour, 5 * time.Minute},
		{"rate 404 last 24h", func(l *loggen.Line) bool { return l.Status == 404 }, 24 * time.Hour, time.Hour},
		{"rate 5xx last 7h", func(l *loggen.Line) bool { return l.Status >= 500 && l.Status <= 599 }, 7 * time.Hour, time.Hour},
		{"graph errors last 20h", func(l *loggen.Line) bool { return l.Status >= 400 && l.Status <= 599 }, 20 * time.Hour, time.Hour},
		{"rate slow today", func(l *loggen.Line) bool { return float32(l.TimeTaken) >= 1 }, 11*time.Hour + 7*time.Minute + 13*time.Second, time.Hour},
		{"graph 5xx last 2h", func(l *loggen.Line) bool { return l.Status >= 500 && l.Status <= 599 }, 2 * time.Hour, 5 * time.Minute},
		{"graph requests", func(l *loggen.Line) bool { return true }, time.Hour, 5 * time.Minute},
	} {
		t.Run(c.phrase, func(t *testing.T) {
			r := ask(t, c.phrase, now)
			want := series(ls, now.Add(-c.from), now, c.step, func(*loggen.Line) bool { return true },
				func(l *loggen.Line) uint64 { return b2u(c.match(l)) })
			if len(r.Table.Rows) != len(want) {
				t.Fatalf("%d buckets, want %d", len(r.Table.Rows), len(want))
			}
			var req, matched uint64
			for _, row := range r.Table.Rows {
				w := want[row[0].(time.Time)]
				pct := math.Round(10000*float64(w[1])/float64(w[0])) / 100
				if row[1] != w[0] || row[2] != w[1] || math.Abs(row[3].(float64)-pct) > 0.006 {
					t.Fatalf("bucket %v: %v, want %d %d %.2f", row[0], row, w[0], w[1], pct)
				}
				req, matched = req+w[0], matched+w[1]
			}
			if strings.HasPrefix(c.phrase, "rate") {
				if s := fmt.Sprintf(": %.2f%% (", 100*float64(matched)/float64(req)); !strings.Contains(r.Title, s) {
					t.Fatalf("title %q lacks %q", r.Title, s)
				}
			} else if len(r.Files) != 1 || !strings.HasPrefix(string(r.Files[0].Data), "\x89PNG") {
				t.Fatalf("graph: no PNG attached: %+v", r.Files)
			}
		})
	}
}

// TestSlowestPathsMatchLines over whole hours (the rollup) and over a
// window with partial edge hours (the rollup's states merged with the rows').
func TestSlowestPathsMatchLines(t *testing.T) {
	for _, now := range []time.Time{day.Add(24 * time.Hour), day.Add(22*time.Hour + 7*time.Minute + 13*time.Second)} {
		t.Run(now.Format("15:04:05"), func(t *testing.T) { checkSlowest(t, now) })
	}
}

func checkSlowest(t *testing.T, now time.Time) {
	_, ls := load(t)
	r := ask(t, "slowest 30 paths last 24h", now)
	ms := map[string][]int{} // each path's times as the log line writes them, in whole ms
	for i := range ls {
		if inWindow(&ls[i], now.Add(-24*time.Hour), now) {
			f, _ := strconv.ParseFloat(strconv.FormatFloat(ls[i].TimeTaken, 'f', 3, 64), 32)
			ms[ls[i].Path] = append(ms[ls[i].Path], int(math.Round(float64(float32(f))*1000)))
		}
	}
	want := map[string][]int{}
	for p, v := range ms {
		if len(v) >= 10 {
			slices.Sort(v)
			want[p] = v
		}
	}
	if len(r.Table.Rows) != len(want) {
		t.Fatalf("%d paths, want %d", len(r.Table.Rows), len(want))
	}
	large := false
	last := math.Inf(1)
	for _, row := range r.Table.Rows {
		v, ok := want[row[0].(string)]
		if !ok {
			t.Fatalf("row %v: not a path with at least 10 requests in the window", row)
		}
		large = large || len(v) > timingExact
		if row[1] != uint64(len(v)) || !timingNear(row[2], v, 0.5) || !timingNear(row[3], v, 0.95) ||
			!near(row[4], float64(v[len(v)-1])/1000) {
			t.Fatalf("row %v, want %d requests, p50 %d ms, p95 %d ms, max %d ms", row, len(v),
				v[int(0.5*float64(len(v)))], v[int(0.95*float64(len(v)))], v[len(v)-1])
		}
		if row[3].(float64) > last {
			t.Fatalf("row %v out of order", row)
		}
		last = row[3].(float64)
	}
	if !large {
		t.Fatalf("no path over %d requests: the histogram case is not exercised", timingExact)
	}
}

// timingExact is the most values quantileTiming keeps one by one.
const timingExact = 5671

// timingNear says whether got (seconds) is the level quantile of the sorted
// ms values as ClickHouse's quantileTiming documents it: times over 30 s
// count as 30 s; up to timingExact values, the value at floor(level × n);
// beyond, a histogram's: the value at ceil(level × n) - 1, exact below
// 1,024 ms and within 16 ms above.
func timingNear(got any, sorted []int, level float64) bool {
	g, ok := got.(float64)
	if !ok {
		return false
	}
	n := len(sorted)
	if n <= timingExact {
		return near(g, float64(min(sorted[int(level*float64(n))], 30000))/1000)
	}
	x := min(sorted[int(math.Ceil(level*float64(n)))-1], 30000)
	if x < 1024 {
		return near(g, float64(x)/1000)
	}
	return math.Abs(g*1000-float64(x)) < 16.5
}

func near(v any, want float64) bool { f, ok := v.(float64); return ok && math.Abs(f-want) < 0.0011 }

func colNames(r *opsbot.Result) []string {
	out := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		out[i] = c.Name
	}
	return out
}
