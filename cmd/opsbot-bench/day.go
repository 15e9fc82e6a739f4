package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/query"
	dailyreport "github.com/opsbot/opsbot/schedules/report"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/chdb"
)

// benchDayCmd: opsbot-bench day [-lines N] [-runs R] [-data DIR] [-goaccess-lines M].
// A day of N synthetic requests (generated in the engine, as `query` does),
// then the daily analysis (each named query's time, the whole report's, and
// the process's peak RSS while it ran), the 21 phrases over the day, and
// GoAccess over M generated CloudFront lines, extrapolated linearly to N.
func benchDayCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("day", flag.ContinueOnError)
	lines := fs.Int("lines", 100_000_000, "requests in the day")
	runs := fs.Int("runs", 3, "report runs (the best and the worst are printed)")
	dataDir := fs.String("data", "", "engine data folder (default: a temporary folder, removed after)")
	queries := fs.String("queries", "", "read the report's named queries from this folder (e.g. an older sql/queries, to compare)")
	gaLines := fs.Int("goaccess-lines", 2_000_000, "CloudFront lines GoAccess parses (0: skip); its time is extrapolated linearly to -lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir := *dataDir
	if dir == "" {
		d, err := os.MkdirTemp("", "opsbot-bench-day-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	ch, err := chdb.Open(dir)
	if err != nil {
		return err
	}
	defer ch.Close()
	if err := migrateBench(ctx, ch); err != nil {
		return err
	}
	if err := dayRows(ctx, ch, *lines); err != nil {
		return err
	}
	var cat *sql.Catalog
	if *queries != "" {
		cat = sql.NewCatalog(os.DirFS(*queries))
	}
	best, err := dayReport(ctx, ch, cat, *runs)
	if err != nil {
		return err
	}
	if err := dayPhrases(ctx, ch); err != nil {
		return err
	}
	if *gaLines > 0 {
		return dayGoAccess(ctx, *gaLines, *lines, best)
	}
	return nil
}

func dayRows(ctx context.Context, w warehouse.Warehouse, n int) error {
	fmt.Printf("== a day of %s requests (synthetic, generated in the engine) ==\n", text.Value(uint64(n)))
	if have, err := w.Query(ctx, "SELECT count() FROM requests WHERE source = 'bench'", nil); err == nil && have.Rows[0][0] == uint64(n) {
		fmt.Println("reusing the rows already in -data")
	} else {
		rate, err := generate(ctx, w, n)
		if err != nil {
			return err
		}
		fmt.Printf("insert rate: %s rows/s (INSERT … SELECT FROM numbers(), with every projection of sql/schema)\n", text.Value(uint64(rate)))
	}
	return settle(ctx, w)
}

// dayReport builds the report runs times and prints the best and worst,
// each named query's time in the best run, the peak RSS and the figures.
func dayReport(ctx context.Context, w warehouse.Warehouse, cat *sql.Catalog, runs int) (time.Duration, error) {
	tw := &timedWarehouse{Warehouse: w}
	j := dailyreport.New(dailyreport.Options{Warehouse: tw, Catalog: cat, TopClients: query.New(tw, query.Options{})})
	base := currentRSS()
	var best, worst, bestCPU time.Duration
	var bestQueries []queryTime
	var r *dailyreport.Report
	for i := 0; i < max(runs, 1); i++ {
		tw.times, tw.verbose = nil, i == 0
		t, c := time.Now(), cpuTime()
		rep, err := j.Build(ctx, benchDay)
		if err != nil {
			return 0, err
		}
		d := time.Since(t)
		if i == 0 || d < best {
			best, bestCPU, bestQueries, r = d, cpuTime()-c, tw.times, rep
		}
		worst = max(worst, d)
	}
	fmt.Printf("\ndaily analysis (%d runs): best %s (%s CPU), worst %s; process RSS before %.0f MB, peak while building %.0f MB (engine in process)\n",
		runs, ms(best), ms(bestCPU), ms(worst), base, tw.peak)
	for _, q := range sumByName(bestQueries) {
		fmt.Printf("  %-22s %3d× %10s wall %10s CPU, peak RSS %4.0f MB\n", q.name, q.n, ms(q.d), ms(q.cpu), q.rss)
	}
	t := r.Totals
	fmt.Printf("figures: requests %d, visitors %d, bytes out %d, in %d, 2xx %d, 3xx %d, 4xx %d, 5xx %d, 000 %d, cache hit %.3f, static %d, p50 %.3f s, p95 %.3f s\n",
		t.Requests, t.Visitors, t.BytesOut, t.BytesIn, t.S2xx, t.S3xx, t.S4xx, t.S5xx, t.S000, t.CacheHitRatio(), t.Static, t.P50, t.P95)
	for _, l := range []struct {
		name  string
		items []dailyreport.Item
	}{{"requested", r.Requested}, {"404", r.NotFound}, {"os", r.OS}, {"browsers", r.Browsers}, {"edges", r.Edges}, {"new clients", r.NewClients}} {
		var parts []string
		for _, it := range l.items {
			parts = append(parts, fmt.Sprintf("%s %d/%d", it.Name, it.Requests, it.Visitors))
		}
		fmt.Printf("  %-12s (requests/visitors) %s\n", l.name, strings.Join(parts, ", "))
	}
	if len(r.Slowest) > 0 {
		fmt.Printf("  slowest: %s p95 %.3f s over %d requests; hours %d, 5-minute points %d\n", r.Slowest[0].Path, r.Slowest[0].P95, r.Slowest[0].Requests, len(r.Hours), len(r.Series))
	}
	return best, nil
}

func dayPhrases(ctx context.Context, w warehouse.Warehouse) error {
	e := query.New(w, query.Options{})
	now := benchDay.Add(24 * time.Hour)
	fmt.Println("\nthe 21 phrases over the day (last 24h, one run each after a warm-up):")
	for _, p := range benchPhrases {
		var d time.Duration
		for i := 0; i < 2; i++ {
			t := time.Now()
			if _, err := e.Ask(ctx, p+" last 24h", now); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			d = time.Since(t)
		}
		fmt.Printf("  %-40s %10s\n", p, ms(d))
	}
	return nil
}

// dayGoAccess times GoAccess over m generated CloudFront lines and
// extrapolates linearly to n.
func dayGoAccess(ctx context.Context, m, n int, built time.Duration) error {
	bin, err := exec.LookPath("goaccess")
	if err != nil {
		fmt.Println("\ngoaccess is not installed: no comparison (apt-get install goaccess)")
		return nil
	}
	m = min(m, n)
	d, cleanup, err := runGoAccess(ctx, bin, loggen.Generate(loggen.Options{Start: benchDay, Duration: 24 * time.Hour, Lines: m, Seed: 3}))
	if err != nil {
		return err
	}
	cleanup()
	est := time.Duration(float64(d) * float64(n) / float64(m))
	label := "measured"
	if m < n {
		label = fmt.Sprintf("EXTRAPOLATED linearly from %s lines in %s", text.Value(uint64(m)), ms(d))
	}
	fmt.Printf("\ngoaccess over %s lines: %s (%s); daily analysis best %s: %.0f× faster\n",
		text.Value(uint64(n)), ms(est), label, ms(built), float64(est)/float64(max(built, 1)))
	return nil
}

// timedWarehouse records each query's time under its named query's name
// (the first line's "-- NAME:").
type timedWarehouse struct {
	warehouse.Warehouse
	times   []queryTime
	verbose bool    // print each query as it ends
	peak    float64 // the process's peak RSS over every query, MB
}

type queryTime struct {
	name   string
	n      int
	d, cpu time.Duration // wall, and the process's CPU (every engine thread)
	rss    float64       // the process's peak RSS during the query, MB
}

func (t *timedWarehouse) Query(ctx context.Context, sql string, p opsbot.Params, opts ...warehouse.QueryOption) (*opsbot.Result, error) {
	peak := peakRSS()
	resetPeakRSS()
	start, cpu := time.Now(), cpuTime()
	res, err := t.Warehouse.Query(ctx, sql, p, opts...)
	name, _, _ := strings.Cut(strings.TrimPrefix(sql, "-- "), ":")
	q := queryTime{name: name, n: 1, d: time.Since(start), cpu: cpuTime() - cpu, rss: peakRSS()}
	t.peak = max(t.peak, peak, q.rss)
	t.times = append(t.times, q)
	if t.verbose {
		fmt.Printf("    %-20s %10s wall %10s CPU, peak RSS %4.0f MB\n", name, ms(q.d), ms(q.cpu), q.rss)
	}
	return res, err
}

func sumByName(ts []queryTime) []queryTime {
	by := map[string]*queryTime{}
	var out []queryTime
	for _, q := range ts {
		if by[q.name] == nil {
			by[q.name] = &queryTime{name: q.name}
		}
		by[q.name].n++
		by[q.name].d += q.d
		by[q.name].cpu += q.cpu
		by[q.name].rss = max(by[q.name].rss, q.rss)
	}
	for _, q := range by {
		out = append(out, *q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].d > out[j].d })
	return out
}

// currentRSS is this process's resident set (VmRSS), in MB.
func currentRSS() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}
