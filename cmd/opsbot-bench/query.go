package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/chdb"
)

// benchPhrases is every catalog form; each runs over 1h and 24h windows.
var benchPhrases = []string{
	"top 4xx by ip", "top requests by ip", "top 404 by path", "top 5xx by host", "top bytes by path",
	"top slow by path", "top errors by user agent", "top requests by referer", "top 5xx by pop",
	"top requests by method", "top errors by status", "top requests by country", "top requests by asn",
	"top 4xx by ip for /blargh", "top requests by path for 11.0.0.0/8",
	"hits 11.0.0.1", "traffic /donate", "status", "rate 5xx", "slowest paths", "graph 5xx",
}

// benchQuery: opsbot-bench query [--rows 10000000,100000000] [--runs 5] [--data DIR]
// [--goaccess-lines N] [--cost-rows N] [--phrases TEXT].
func benchQuery(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	rowsFlag := fs.String("rows", "10000000,100000000", "table sizes to measure, comma-separated")
	runs := fs.Int("runs", 5, "runs per phrase and window (p50/p95 over them)")
	dataDir := fs.String("data", "", "engine data folder (default: a temporary folder, removed after)")
	gaLines := fs.Int("goaccess-lines", 1_000_000, "log lines for the GoAccess comparison (0: skip)")
	only := fs.String("phrases", "", "only phrases containing one of these texts, separated by |")
	costRows := fs.Int("cost-rows", 5_000_000, "rows for the insert-cost comparison with and without projections (0: skip)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir := *dataDir
	if dir == "" {
		d, err := os.MkdirTemp("", "opsbot-bench-query-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	w, err := chdb.Open(dir)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := migrateBench(ctx, w); err != nil {
		return err
	}
	if *costRows > 0 {
		if err := projectionCost(ctx, w, *costRows); err != nil {
			return err
		}
	}
	for _, s := range strings.Split(*rowsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 {
			return fmt.Errorf("--rows %q: want row counts (0: none)", s)
		}
		if n == 0 {
			continue
		}
		if err := benchSize(ctx, w, n, *runs, *only); err != nil {
			return err
		}
	}
	if *gaLines > 0 {
		return benchGoAccess(ctx, w, *gaLines)
	}
	return nil
}

func migrateBench(ctx context.Context, w warehouse.Warehouse) error {
	_, err := sql.Migrate(ctx, w)
	return err
}

// benchDay is the synthetic day; now is its end.
var benchDay = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func benchSize(ctx context.Context, w warehouse.Warehouse, n, runs int, only string) error {
	fmt.Printf("\n== %s rows over one day (synthetic, generated in the engine) ==\n", text.Value(uint64(n)))
	if have, err := w.Query(ctx, "SELECT count() FROM requests WHERE source = 'bench'", nil); err == nil && have.Rows[0][0] == uint64(n) {
		fmt.Println("reusing the rows already in --data")
	} else {
		rate, err := generate(ctx, w, n)
		if err != nil {
			return err
		}
		fmt.Printf("insert rate: %s rows/s (INSERT … SELECT FROM numbers(), with every projection of sql/schema)\n", text.Value(uint64(rate)))
	}
	if err := settle(ctx, w); err != nil {
		return err
	}
	e := query.New(w, query.Options{})
	now := benchDay.Add(24 * time.Hour)
	fmt.Printf("%-34s %-6s %9s %9s %9s %9s %7s %12s\n", "phrase", "window", "ask p50", "ask p95", "sql p50", "sql p95", "ratio", "rows read")
	var worst24 time.Duration
	var ratios []float64
	var held [2]int // top-clients answers certified on the first try, of all asked
	for _, p := range benchPhrases {
		if !selected(p, only) {
			continue
		}
		for _, win := range []string{"last hour", "last 24h"} {
			r, err := measure(ctx, w, e, p+" "+win, now, runs)
			if err != nil {
				return fmt.Errorf("%s %s: %w", p, win, err)
			}
			fmt.Printf("%-34s %-6s %9s %9s %9s %9s %7.2f %12s\n", p, strings.TrimPrefix(win, "last "),
				ms(r.ask[0]), ms(r.ask[1]), ms(r.direct[0]), ms(r.direct[1]), r.ratio(), text.Value(r.rowsRead))
			ratios = append(ratios, r.ratio())
			if strings.Contains(p, "by ip") {
				if err := certificate(ctx, e, p+" "+win, now, &held); err != nil {
					return err
				}
			}
			if win == "last 24h" {
				worst24 = max(worst24, r.ask[1])
			}
		}
	}
	if held[1] > 0 {
		fmt.Printf("top-clients certificate held on the first try for %d of %d `by ip` phrases\n", held[0], held[1])
	}
	sort.Float64s(ratios)
	if len(ratios) > 0 {
		fmt.Printf("worst ask p95 over 24h: %s (target < 300 ms); median overhead ratio %.2f, worst %.2f (target < 1.1)\n",
			ms(worst24), ratios[len(ratios)/2], ratios[len(ratios)-1])
	}
	return nil
}

// certificate prints how the hourly top-client summaries answered phrase
// (query.Engine.TopClients) and counts first-try proofs in held.
func certificate(ctx context.Context, e *query.Engine, phrase string, now time.Time, held *[2]int) error {
	pl, err := e.Plan(phrase, now)
	if err != nil {
		return err
	}
	_, c, err := e.TopClients(ctx, pl.Params)
	if err != nil {
		return err
	}
	held[1]++
	if c.Certified && c.Tries == 1 {
		held[0]++
	}
	verdict := fmt.Sprintf("proven on try %d", c.Tries)
	if !c.Certified {
		verdict = "refused (" + c.Reason + "), scanned"
	}
	fmt.Printf("  certificate: %s; %s candidates, N-th count %s, bound %s\n", verdict,
		text.Value(uint64(c.Candidates)), text.Value(c.Last), text.Value(c.Bound))
	return nil
}

type figures struct {
	ask, direct [2]time.Duration // p50, p95
	rowsRead    uint64
}

func (f figures) ratio() float64 { return float64(f.ask[0]) / float64(max(f.direct[0], 1)) }

// measure runs the phrase through Engine.Ask and its explained SQL directly
// on the engine, alternating, runs times each after one warm-up.
func measure(ctx context.Context, w warehouse.Warehouse, e *query.Engine, phrase string, now time.Time, runs int) (figures, error) {
	sqlText, params, err := e.Explain(phrase, now)
	if err != nil {
		return figures{}, err
	}
	var f figures
	var ask, direct []time.Duration
	for i := 0; i <= runs; i++ {
		var da, dd time.Duration
		var err error
		if i%2 == 0 { // alternate which goes first, so neither always finds the cache warm
			da, f.rowsRead, err = timeAsk(ctx, e, phrase, now)
			if err == nil {
				dd, err = timeSQL(ctx, w, sqlText, params)
			}
		} else {
			dd, err = timeSQL(ctx, w, sqlText, params)
			if err == nil {
				da, f.rowsRead, err = timeAsk(ctx, e, phrase, now)
			}
		}
		if err != nil {
			return f, err
		}
		if i > 0 {
			ask, direct = append(ask, da), append(direct, dd)
		}
	}
	f.ask, f.direct = pcts(ask), pcts(direct)
	return f, nil
}

func timeAsk(ctx context.Context, e *query.Engine, phrase string, now time.Time) (time.Duration, uint64, error) {
	t := time.Now()
	r, err := e.Ask(ctx, phrase, now)
	if err != nil {
		return 0, 0, err
	}
	return time.Since(t), r.Table.Stats.RowsRead, nil
}

func timeSQL(ctx context.Context, w warehouse.Warehouse, sqlText string, params opsbot.Params) (time.Duration, error) {
	t := time.Now()
	_, err := w.Query(ctx, sqlText, params)
	return time.Since(t), err
}

func pcts(d []time.Duration) [2]time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(q float64) time.Duration { return d[min(int(q*float64(len(d))), len(d)-1)] }
	return [2]time.Duration{at(0.5), at(0.95)}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// selected says whether phrase contains one of the |-separated texts in only.
func selected(phrase, only string) bool {
	if only == "" {
		return true
	}
	for _, o := range strings.Split(only, "|") {
		if o != "" && strings.Contains(phrase, o) {
			return true
		}
	}
	return false
}

// settle waits (up to ten minutes) until the engine has no merge of
// requests running, so that the figures are the table's steady state and
// not queries competing with the merges of the parts just inserted (the
// projections make those merges longer).
func settle(ctx context.Context, w warehouse.Warehouse) error {
	start := time.Now()
	for time.Since(start) < 10*time.Minute {
		r, err := w.Query(ctx, "SELECT count() FROM system.merges WHERE table = 'requests'", nil)
		if err != nil {
			return fmt.Errorf("merges: %w", err)
		}
		if len(r.Rows) == 1 && r.Rows[0][0] == uint64(0) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	fmt.Printf("background merges done after %s\n", time.Since(start).Round(time.Second))
	return nil
}
