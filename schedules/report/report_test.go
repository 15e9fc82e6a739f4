package report_test

import (
	"bytes"
	"context"
	"image/png"
	"math"
	"net/netip"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/schedules/report"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

var day = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) // a Sunday

// traffic is the day (30k lines), the same weekday a week before (20k)
// and the six days between (4k each), so the 7-day baseline is complete.
func traffic() (yesterday, lastWeek, all []loggen.Line) {
	yesterday = loggen.Generate(loggen.Options{Start: day, Lines: 30_000, Seed: 1})
	lastWeek = loggen.Generate(loggen.Options{Start: day.AddDate(0, 0, -7), Lines: 20_000, Seed: 2})
	all = append(append(all, yesterday...), lastWeek...)
	for d := 1; d <= 6; d++ {
		all = append(all, loggen.Generate(loggen.Options{Start: day.AddDate(0, 0, -d), Lines: 4_000, Seed: uint64(10 + d)})...)
	}
	return
}

func TestDailyAnalysisFiguresMatchRawLines(t *testing.T) {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "requests", "ingest_objects")
	yesterday, lastWeek, all := traffic()
	warehousetest.InsertLines(t, w, all)
	if n := warehousetest.CountRequests(t, w); n != uint64(len(all)) {
		t.Fatalf("inserted %d of %d rows", n, len(all))
	}
	manifest(t, w)
	j := report.New(report.Options{Warehouse: w, Top: 5})
	notices, err := j.Run(context.Background(), day.Add(31*time.Hour)) // the next morning, 07:00
	if err != nil {
		t.Fatal(err)
	}
	if len(notices) != 1 || notices[0].Level != opsbot.LevelAudit || notices[0].Key != "daily-analysis" {
		t.Fatalf("notices %+v", notices)
	}
	r, err := j.Build(context.Background(), day)
	if err != nil {
		t.Fatal(err)
	}
	want := totals(yesterday)
	if r.Totals != want {
		t.Errorf("totals\n got %+v\nwant %+v", r.Totals, want)
	}
	if lw := totals(lastWeek); r.LastWeek != lw {
		t.Errorf("last week\n got %+v\nwant %+v", r.LastWeek, lw)
	}
	checkTop(t, "4xx clients", r.Clients4xx, top(yesterday, 5, client, func(l loggen.Line) bool { return l.Status >= 400 && l.Status < 500 }))
	checkTop(t, "5xx clients", r.Clients5xx, top(yesterday, 5, client, func(l loggen.Line) bool { return l.Status >= 500 && l.Status < 600 }))
	checkTop(t, "4xx paths", r.Paths4xx, top(yesterday, 5, path, func(l loggen.Line) bool { return l.Status >= 400 && l.Status < 500 }))
	checkTop(t, "5xx paths", r.Paths5xx, top(yesterday, 5, path, func(l loggen.Line) bool { return l.Status >= 500 && l.Status < 600 }))
	checkTop(t, "404 paths", r.NotFound, top(yesterday, 5, path, func(l loggen.Line) bool { return l.Status == 404 }))
	checkTop(t, "status", r.Status, top(yesterday, 100, func(l loggen.Line) string { return strconv.Itoa(l.Status) }, nil))
	checkSlowest(t, r.Slowest, slowest(yesterday, 5))
	checkTop(t, "new clients", r.NewClients, newClients(yesterday, all, 10))
	if len(r.NewClients) == 0 {
		t.Error("the noisy clients of the day should not all be in the baseline: no new clients found")
	}
	var s, e uint64
	for _, p := range r.Series {
		s, e = s+p.Requests, e+p.S5xx
	}
	if s != want.Requests || e != want.S5xx+want.S000 {
		t.Errorf("series sums to %d requests, %d errors; want %d, %d", s, e, want.Requests, want.S5xx+want.S000)
	}
	wantIngest := report.Ingest{Manifest: true, Objects: 2, Failed: 1, Rows: 1500, Rejected: 3, MaxDelay: 10 * time.Minute,
		LastLoaded: day.Add(2*time.Hour + 5*time.Minute), Failures: []report.Failure{{Key: "E2/c.gz", Attempts: 3, Error: "gzip: invalid header"}}}
	if !reflect.DeepEqual(r.Ingest, wantIngest) {
		t.Errorf("ingest\n got %+v\nwant %+v", r.Ingest, wantIngest)
	}
	img, err := png.Decode(bytes.NewReader(r.Chart))
	if err != nil || img.Bounds().Dx() < 600 {
		t.Fatalf("chart: %v", err)
	}
	reply := notices[0].Reply
	for _, s := range []string{"Daily log analysis: Sun 22 Nov 2026", "104.2.1.1", "/blargh", "Referring sites", "Browsers", "Operating systems"} {
		if !strings.Contains(reply.Title+reply.Text, s) {
			t.Errorf("reply lacks %q", s)
		}
	}
	if len(reply.Files) != 1 || reply.Files[0].MimeType != "image/png" || len(reply.Text) > 12_000 {
		t.Errorf("reply files %d, text %d chars", len(reply.Files), len(reply.Text))
	}
}

// manifest records the day's objects as the ingest would: a, loaded in
// two steps (the newest state counts); b; c failed three times; d belongs
// to the day before.
func manifest(t *testing.T, w warehouse.Warehouse) {
	t.Helper()
	for _, o := range []struct {
		key, status, err         string
		rows, rejected, attempts int
		objectTime, finished     time.Duration
		version                  int
	}{
		{"E2/a.gz", "loading", "", 0, 0, 1, time.Hour, 0, 1},
		{"E2/a.gz", "done", "", 1000, 3, 1, time.Hour, time.Hour + 10*time.Minute, 2},
		{"E2/b.gz", "done", "", 500, 0, 1, 2 * time.Hour, 2*time.Hour + 5*time.Minute, 1},
		{"E2/c.gz", "failed", "gzip: invalid header", 0, 0, 3, 3 * time.Hour, 3*time.Hour + time.Minute, 1},
		{"E2/d.gz", "done", "", 700, 9, 1, -time.Hour, time.Minute, 1},
	} {
		err := w.Exec(context.Background(), `INSERT INTO ingest_objects (bucket, key, status, error, rows, rejected, attempts, object_time, finished_at, version)
			SELECT 'logs', {k:String}, {s:String}, {e:String}, {r:UInt64}, {rj:UInt64}, {a:UInt32}, {ot:DateTime64(3, 'UTC')}, {f:DateTime64(3, 'UTC')}, {v:UInt64}`,
			opsbot.Params{"k": o.key, "s": o.status, "e": o.err, "r": strconv.Itoa(o.rows), "rj": strconv.Itoa(o.rejected), "a": strconv.Itoa(o.attempts),
				"ot": day.Add(o.objectTime).Format("2006-01-02 15:04:05"), "f": day.Add(o.finished).Format("2006-01-02 15:04:05"), "v": strconv.Itoa(o.version)})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func totals(ls []loggen.Line) report.Totals {
	var t report.Totals
	ips := map[string]bool{}
	var tt []float64
	for _, l := range ls {
		t.Requests++
		ips[client(l)] = true
		t.BytesOut += uint64(l.BytesOut)
		t.BytesIn += uint64(l.BytesIn)
		switch {
		case l.Status == 0:
			t.S000++
		case l.Status < 300:
			t.S2xx++
		case l.Status < 400:
			t.S3xx++
		case l.Status < 500:
			t.S4xx++
		default:
			t.S5xx++
		}
		switch l.ResultType {
		case "Hit", "RefreshHit":
			t.CacheHits++
		case "Miss":
			t.CacheMisses++
		}
		if isStatic(l.Path) {
			t.Static++
		}
		tt = append(tt, float64(float32(l.TimeTaken)))
	}
	t.Visitors = uint64(len(ips))
	t.P50, t.P95 = quantile(tt, 0.5), quantile(tt, 0.95)
	return t
}

func isStatic(p string) bool {
	for _, ext := range []string{".js", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".woff", ".woff2", ".ttf", ".map", ".txt"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}

// quantile is the exact quantile as ClickHouse's quantileExact picks it:
// the element at floor(level*n) of the sorted values, rounded to 3 places
// as the query does.
func quantile(v []float64, level float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	x := s[int(level*float64(len(s)))]
	return math.Round(x*1000) / 1000
}

func client(l loggen.Line) string { return l.ClientIP }
func path(l loggen.Line) string   { return l.Path }

type count struct {
	name string
	n    uint64
}

func top(ls []loggen.Line, n int, key func(loggen.Line) string, keep func(loggen.Line) bool) []count {
	m := map[string]uint64{}
	for _, l := range ls {
		if keep == nil || keep(l) {
			m[key(l)]++
		}
	}
	var out []count
	for k, v := range m {
		out = append(out, count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].name < out[j].name
	})
	return out[:min(n, len(out))]
}

// byAddress orders equal counts by binary address, as ClickHouse orders
// an IPv6 column.
func byAddress(out []count) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		a, b := netip.MustParseAddr(out[i].name), netip.MustParseAddr(out[j].name)
		return a.As16() != b.As16() && less16(a.As16(), b.As16())
	})
}

func less16(a, b [16]byte) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func newClients(day, all []loggen.Line, n int) []count {
	var base []loggen.Line
	for _, l := range all {
		if l.TS.Before(day[0].TS.Truncate(24*time.Hour)) && !l.TS.Before(day[0].TS.Truncate(24*time.Hour).AddDate(0, 0, -7)) {
			base = append(base, l)
		}
	}
	dayTop, baseTop := top(day, 1<<30, client, nil), top(base, 1<<30, client, nil)
	byAddress(dayTop)
	byAddress(baseTop)
	known := map[string]bool{}
	for _, c := range baseTop[:n] {
		known[c.name] = true
	}
	var out []count
	for _, c := range dayTop[:n] {
		if !known[c.name] {
			out = append(out, c)
		}
	}
	byAddress(out)
	return out
}

func checkTop(t *testing.T, what string, got []report.Item, want []count) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d rows, want %d (%v)", what, len(got), len(want), want)
		return
	}
	for i := range want {
		if got[i].Name != want[i].name || got[i].Requests != want[i].n {
			t.Errorf("%s row %d: got %s %d, want %s %d", what, i, got[i].Name, got[i].Requests, want[i].name, want[i].n)
		}
	}
}

type slow struct {
	path     string
	n        uint64
	p50, p95 float64
}

func slowest(ls []loggen.Line, n int) []slow {
	by := map[string][]float64{}
	for _, l := range ls {
		by[l.Path] = append(by[l.Path], float64(float32(l.TimeTaken)))
	}
	var out []slow
	for p, v := range by {
		if len(v) >= 20 {
			out = append(out, slow{p, uint64(len(v)), quantile(v, 0.5), quantile(v, 0.95)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].p95 != out[j].p95 {
			return out[i].p95 > out[j].p95
		}
		return out[i].path < out[j].path
	})
	return out[:min(n, len(out))]
}

func checkSlowest(t *testing.T, got []report.Slow, want []slow) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("slowest: got %d, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Path != w.path || g.Requests != w.n || math.Abs(g.P95-w.p95) > 1e-6 || math.Abs(g.P50-w.p50) > 1e-6 {
			t.Errorf("slowest %d: got %+v, want %+v", i, g, w)
		}
	}
}
